/**
 * What a test file has started and not yet stopped. A `beforeAll` that times out leaves its
 * `x = await startX()` unassigned, so the file's `afterAll(() => x?.stop())` stops nothing while
 * the start goes on in the background (the issue: 28 fixture nats-servers still running after
 * two failed runs). Everything started through `own` is therefore also known here, and the test
 * environment (jest/environment.mjs) stops whatever is still running once the file's own hooks
 * are done: it waits for starts still under way, then stops the newest first.
 *
 * The registry lives on the test file's global object, which that environment can read; this
 * shape is the contract between the two.
 */
export interface OwnedEntry {
  what: string;
  stopped: boolean;
  stop(): Promise<unknown>;
}
export interface OwnedRegistry {
  pending: Set<Promise<unknown>>;
  owned: OwnedEntry[];
}

const KEY = '__hangarOwned';

function registry(): OwnedRegistry {
  const scope = globalThis as unknown as Record<string, OwnedRegistry | undefined>;
  return (scope[KEY] ??= { pending: new Set(), owned: [] });
}

type Stoppable = { stop(...args: never[]): Promise<unknown> };

/**
 * Awaits `start` as something this test file owns. Its `stop` becomes idempotent (the first
 * call's arguments win) and is called at the end of the file if nobody called it before.
 */
export async function own<T extends Stoppable>(what: string, start: Promise<T>): Promise<T> {
  const { pending, owned } = registry();
  pending.add(start);
  try {
    const value = await start;
    const original = value.stop.bind(value) as (...args: unknown[]) => Promise<unknown>;
    let stopping: Promise<unknown> | undefined;
    const entry: OwnedEntry = {
      what,
      stopped: false,
      stop: (...args: unknown[]) => {
        entry.stopped = true;
        return (stopping ??= original(...args));
      },
    };
    (value as { stop: unknown }).stop = entry.stop;
    owned.push(entry);
    return value;
  } finally {
    pending.delete(start);
  }
}
