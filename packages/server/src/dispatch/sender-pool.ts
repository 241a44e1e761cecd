import type { SendOutcome, SendRequest } from "./outcome.ts";
import type { Sender } from "./send.ts";

/**
 * Several senders behind one, each attempt going to the one with the fewest attempts in flight.
 * One sender thread tops out near 4,500 attempts a second (signing, undici, the sockets: about
 * 220 µs of its CPU each, the drain benchmark's profile), below what the dispatcher and the
 * store can feed it; a second thread on another core carries the rest. The dispatcher's caps
 * still bound what is in flight, globally and per endpoint, whatever thread carries it. Each
 * thread keeps its own keep-alive pool, so an endpoint may hold sockets in both.
 */
export function createSenderPool<S extends Sender>(senders: readonly S[]): Sender {
  if (senders.length === 0) throw new Error("a sender pool needs at least one sender");
  const inFlight = senders.map(() => 0);

  function leastBusy(): number {
    let best = 0;
    for (let i = 1; i < senders.length; i++) {
      if (inFlight[i]! < inFlight[best]!) best = i;
    }
    return best;
  }

  return {
    async send(request: SendRequest): Promise<SendOutcome> {
      const i = leastBusy();
      inFlight[i]!++;
      try {
        return await senders[i]!.send(request);
      } finally {
        inFlight[i]!--;
      }
    },
    async close() {
      await Promise.all(senders.map((s) => s.close()));
    },
  };
}
