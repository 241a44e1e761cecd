import { emit } from "@hookline/webhooks/outbox";
import type pg from "pg";

// The shop's checkout, on the PostgreSQL database Hookline runs on: taking a payment and
// announcing it are one transaction (docs/outbox.md). Crash anywhere, and either the payment is
// recorded and its webhook goes, or neither: never a paid order the warehouse never hears of,
// never a webhook for a payment that rolled back.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS payments (
  order_id       text PRIMARY KEY,
  payment_intent text NOT NULL,
  amount         integer NOT NULL,
  paid_at        timestamptz NOT NULL DEFAULT now()
)`;

export interface Payment {
  orderId: string;
  amount: number;
  email: string;
}

export function openCheckout(pool: pg.Pool) {
  return {
    migrate: async () => void (await pool.query(SCHEMA)),
    /**
     * Records the payment and emits `payment_intent.succeeded` in the same transaction.
     * `fail` stands in for anything that goes wrong before the commit (a constraint, a crash).
     */
    async pay(payment: Payment, options: { fail?: boolean } = {}): Promise<void> {
      const intent = `pi_${payment.orderId}`;
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(
          "INSERT INTO payments (order_id, payment_intent, amount) VALUES ($1, $2, $3)",
          [payment.orderId, intent, payment.amount],
        );
        await emit(client, {
          type: "payment_intent.succeeded",
          data: {
            object: {
              id: intent,
              object: "payment_intent",
              amount: payment.amount,
              currency: "usd",
              status: "succeeded",
              receipt_email: payment.email,
              metadata: { order_id: payment.orderId },
            },
          },
          // Paying an order twice is refused by the primary key; the key covers a retry too.
          idempotencyKey: `${payment.orderId}-paid`,
        });
        if (options.fail) throw new Error("payment declined after the insert");
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
    paid: async (orderId: string) =>
      (await pool.query("SELECT 1 FROM payments WHERE order_id = $1", [orderId])).rowCount === 1,
  };
}
