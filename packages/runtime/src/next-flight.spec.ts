import { nextFlight } from './next-flight.js';

/** A read whose answers the test hands out one at a time. */
function controlledRead() {
  const pending: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  let started = 0;
  const read = () =>
    new Promise<number>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return { read, pending, started: () => started };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('nextFlight', () => {
  it('runs one read for a caller alone', async () => {
    const c = controlledRead();
    const get = nextFlight(c.read);
    const a = get();
    expect(c.started()).toBe(1);
    c.pending[0]!.resolve(7);
    await expect(a).resolves.toBe(7);
  });

  it('answers callers that arrive during a read with the next read, never the running one', async () => {
    const c = controlledRead();
    const get = nextFlight(c.read);
    const first = get();
    const late = [get(), get(), get()];
    // One read runs; the late callers share a single queued one.
    expect(c.started()).toBe(1);
    c.pending[0]!.resolve(1);
    await expect(first).resolves.toBe(1);
    await tick();
    expect(c.started()).toBe(2);
    c.pending[1]!.resolve(2);
    await expect(Promise.all(late)).resolves.toEqual([2, 2, 2]);
  });

  it('starts the queued read after a failed one, and the failure reaches only its own callers', async () => {
    const c = controlledRead();
    const get = nextFlight(c.read);
    const first = get();
    const late = get();
    c.pending[0]!.reject(new Error('down'));
    await expect(first).rejects.toThrow('down');
    await tick();
    c.pending[1]!.resolve(3);
    await expect(late).resolves.toBe(3);
  });

  it('after everything settles, the next caller starts a fresh read', async () => {
    const c = controlledRead();
    const get = nextFlight(c.read);
    const a = get();
    c.pending[0]!.resolve(1);
    await a;
    const b = get();
    expect(c.started()).toBe(2);
    c.pending[1]!.resolve(4);
    await expect(b).resolves.toBe(4);
  });
});
