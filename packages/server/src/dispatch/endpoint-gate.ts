/**
 * At most `limit` attempts run at once to one endpoint URL; more wait here, in the order they
 * came, and each starts the moment a running one ends.
 *
 * Why the sender gates at all, when the dispatcher already caps each endpoint: the dispatcher
 * runs on the main thread and the sender on its own, so a slot freed by an answer reached the
 * dispatcher, and the next attempt reached the sender, one round trip between the threads later
 * (a millisecond or more while either thread is busy committing or sending a batch). With 32
 * slots, that wait was a large share of each slot's cycle. The dispatcher now hands an endpoint
 * that answers at full speed a few more attempts than the cap (lane.ts, `headroom`); they wait
 * here and take each freed slot on this thread, so the cap still bounds what the receiver sees.
 *
 * An attempt's clock (its deadline, its recorded duration) starts when it leaves the gate:
 * waiting for a slot is not the endpoint's time.
 */
export type EndpointGate = <T>(url: string, start: () => Promise<T>) => Promise<T>;

interface Gate {
  running: number;
  waiting: (() => void)[];
}

export function createEndpointGate(limit: number): EndpointGate {
  const gates = new Map<string, Gate>();

  return function through<T>(url: string, start: () => Promise<T>): Promise<T> {
    let gate = gates.get(url);
    if (gate === undefined) {
      gate = { running: 0, waiting: [] };
      gates.set(url, gate);
    }
    const open = gate;
    const go = (): Promise<T> => {
      open.running++;
      return start().finally(() => {
        open.running--;
        const next = open.waiting.shift();
        if (next !== undefined) next();
        // An idle URL keeps no entry: endpoints come and go.
        else if (open.running === 0) gates.delete(url);
      });
    };
    if (open.running < limit) return go();
    return new Promise<T>((resolve, reject) => {
      open.waiting.push(() => void go().then(resolve, reject));
    });
  };
}
