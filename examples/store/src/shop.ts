import type Database from "better-sqlite3";

// The shop's own state, in its own SQLite file. The webhook inbox may live in the same file
// (as here) or elsewhere; the shop never reads it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'pending',
  shipments INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS emails (id INTEGER PRIMARY KEY, recipient TEXT NOT NULL, subject TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, customer TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS disputes (
  id TEXT PRIMARY KEY,
  charge TEXT NOT NULL,
  amount INTEGER NOT NULL,
  status TEXT NOT NULL
);`;

export type Shop = ReturnType<typeof openShop>;

/** The shop's database and the few things it does. */
export function openShop(db: Database.Database) {
  db.exec(SCHEMA);
  const statements = {
    placeOrder: db.prepare("INSERT INTO orders (id) VALUES (?)"),
    order: db.prepare<[string], { id: string; status: string; shipments: number }>(
      "SELECT * FROM orders WHERE id = ?",
    ),
    // Deliberately naive (no "already paid?" check): running it once per event is the inbox's job.
    ship: db.prepare("UPDATE orders SET status = 'paid', shipments = shipments + 1 WHERE id = ?"),
    email: db.prepare("INSERT INTO emails (recipient, subject) VALUES (?, ?)"),
    emails: db.prepare<[], { recipient: string; subject: string }>(
      "SELECT recipient, subject FROM emails ORDER BY id",
    ),
    saveSubscription: db.prepare(
      "INSERT INTO subscriptions (id, customer, status) VALUES (@id, @customer, @status) ON CONFLICT (id) DO UPDATE SET status = excluded.status",
    ),
    subscription: db.prepare<[string], { id: string; customer: string; status: string }>(
      "SELECT * FROM subscriptions WHERE id = ?",
    ),
    saveDispute: db.prepare(
      "INSERT INTO disputes (id, charge, amount, status) VALUES (@id, @charge, @amount, @status) ON CONFLICT (id) DO UPDATE SET status = excluded.status, amount = excluded.amount",
    ),
    dispute: db.prepare<[string], { id: string; charge: string; amount: number; status: string }>(
      "SELECT * FROM disputes WHERE id = ?",
    ),
  };
  return {
    placeOrder: (id: string) => void statements.placeOrder.run(id),
    order: (id: string) => statements.order.get(id),
    /** Ships a paid order. `shipments` counts how often: more than 1 is the bug webhooks cause. */
    fulfil(orderId: string) {
      statements.ship.run(orderId);
    },
    /** Stands in for a mailer: the log is what the tests check. */
    email(recipient: string, subject: string) {
      statements.email.run(recipient, subject);
      console.log(`[store] email to ${recipient}: ${subject}`);
    },
    emails: () => statements.emails.all(),
    saveSubscription: (s: { id: string; customer: string; status: string }) =>
      void statements.saveSubscription.run(s),
    subscription: (id: string) => statements.subscription.get(id),
    saveDispute: (d: { id: string; charge: string; amount: number; status: string }) =>
      void statements.saveDispute.run(d),
    dispute: (id: string) => statements.dispute.get(id),
  };
}
