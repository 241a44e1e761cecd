import type { Hookline, WebhookDelivery } from "@hookline/webhooks/client";
import { HooklineApiError } from "@hookline/webhooks/client";
import { CommandFailed } from "./failure.ts";

const POLL_MS = 50;
const SETTLE_TIMEOUT_MS = 30_000;

/**
 * Sends an event's deliveries once more, as a receiver sees a duplicate: the same event id,
 * signed again. The server queues nothing twice, so this first waits until every delivery has
 * been attempted `attempts` times and none is in flight; then it resends the finished ones
 * (`POST /v1/events/{id}/retry`) and makes due now the ones waiting for a retry.
 * Returns how many deliveries were sent again (0: no endpoint gets this event).
 */
export async function resendOnce(
  client: Hookline,
  eventId: string,
  attempts: number,
): Promise<number> {
  const deliveries = await settled(client, eventId, attempts);
  if (deliveries.length === 0) return 0;
  await client.events.retry(eventId);
  for (const d of deliveries.filter((d) => d.status === "pending")) {
    try {
      await client.deliveries.retry(d.id);
    } catch (error) {
      // Claimed by its own retry meanwhile: it is being sent, which is what was asked.
      if (!(error instanceof HooklineApiError && error.status === 409)) throw error;
    }
  }
  return deliveries.length;
}

async function settled(
  client: Hookline,
  eventId: string,
  attempts: number,
): Promise<WebhookDelivery[]> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const page = await client.deliveries.list({ event: eventId, limit: 100 });
    // Skipped and cancelled deliveries (endpoint disabled or deleted) are never attempted.
    const live = page.data.filter((d) => d.status !== "skipped" && d.status !== "cancelled");
    if (live.every((d) => d.status !== "in_flight" && d.attempt_count >= attempts)) return live;
    if (Date.now() > deadline) {
      throw new CommandFailed(
        `${eventId}: its deliveries were not attempted within ${SETTLE_TIMEOUT_MS / 1000}s, so it cannot be resent yet (is a receiver hanging?)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
