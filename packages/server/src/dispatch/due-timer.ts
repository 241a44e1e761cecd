/**
 * The due timer: wakes the claimer when deliveries fall due in the future (retries, give-backs,
 * an open circuit's cooldown) and, at the latest, every `pollMs` (other nodes' work when no
 * notification came). It remembers which endpoint each due time belongs to, so a retry falling
 * due marks only its endpoint: a lane busy with a backlog then takes it with its next claim
 * instead of an extra claim per retry. Due times it was not told of (another node's, or past
 * the horizon) come from the store's next due time, read after each firing.
 */
export interface DueTimer {
  /** A pending delivery of `endpointId` (of any endpoint, when absent) falls due at `at`. */
  expect(at: number, endpointId?: string): void;
  /** Reads the store's next due time and arms for it. */
  refresh(): Promise<void>;
  stop(): void;
}

export interface DueTimerOptions {
  pollMs: number;
  clock: () => number;
  nextDueAt(): Promise<number | undefined>;
  /** Deliveries are due now: of these endpoints, or of any when none are named. */
  onDue(endpointIds?: string[]): void;
}

/**
 * Due times further ahead than this are not remembered one by one (a day of scheduled retries
 * would be a heap of thousands): the store's next due time covers them.
 */
const HORIZON_MS = 60_000;

interface Entry {
  at: number;
  endpointId: string | undefined;
}

export function createDueTimer(options: DueTimerOptions): DueTimer {
  const { clock } = options;
  const heap: Entry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let armedAt = Number.POSITIVE_INFINITY;
  let pollAt = Number.POSITIVE_INFINITY;
  let stopped = false;

  function arm(): void {
    if (stopped) return;
    const at = Math.min(heap[0]?.at ?? Number.POSITIVE_INFINITY, pollAt);
    if (at === armedAt) return;
    if (timer !== undefined) clearTimeout(timer);
    armedAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    timer = setTimeout(fire, Math.max(1, at - clock()));
    timer.unref();
  }

  function fire(): void {
    timer = undefined;
    armedAt = Number.POSITIVE_INFINITY;
    const now = clock();
    const ids = new Set<string>();
    let any = false;
    while (heap.length > 0 && heap[0]!.at <= now) {
      const entry = pop(heap);
      if (entry.endpointId === undefined) any = true;
      else ids.add(entry.endpointId);
    }
    if (pollAt <= now) {
      any = true;
      pollAt = Number.POSITIVE_INFINITY;
    }
    if (ids.size > 0) options.onDue([...ids]);
    if (any) {
      options.onDue();
      void refresh();
    } else arm();
  }

  async function refresh(): Promise<void> {
    pollAt = clock() + options.pollMs;
    arm();
    let due: number | undefined;
    try {
      due = await options.nextDueAt();
    } catch {
      return; // the poll stays armed; the claimer reports the store's state
    }
    // The store's earliest due time is always kept, however far: each firing reads the next.
    if (due !== undefined) expect(due, undefined, true);
  }

  function expect(at: number, endpointId?: string, always = false): void {
    if (stopped) return;
    const now = clock();
    if (at <= now) {
      options.onDue(endpointId === undefined ? undefined : [endpointId]);
      return;
    }
    if (at > now + HORIZON_MS && !always) return;
    push(heap, { at, endpointId });
    arm();
  }

  return {
    expect: (at, endpointId) => expect(at, endpointId),
    refresh,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

function push(heap: Entry[], entry: Entry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.at <= heap[i]!.at) break;
    [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
    i = parent;
  }
}

function pop(heap: Entry[]): Entry {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < heap.length && heap[l]!.at < heap[least]!.at) least = l;
      if (r < heap.length && heap[r]!.at < heap[least]!.at) least = r;
      if (least === i) break;
      [heap[least], heap[i]] = [heap[i]!, heap[least]!];
      i = least;
    }
  }
  return top;
}
