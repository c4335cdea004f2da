import type { PipeEnd, PipedConnection } from '@hangar/upgrade-proxy';
import { PipedConnections } from './piped-connections.js';

/** Stands in for a piped socket pair: `close()` ends it the way pipeUpgrade's does. */
function connection(): PipedConnection & { isClosed(): boolean } {
  let resolve!: (end: PipeEnd) => void;
  const closed = new Promise<PipeEnd>((r) => (resolve = r));
  let isClosed = false;
  return {
    closed,
    close() {
      isClosed = true;
      resolve('closed');
    },
    isClosed: () => isClosed,
  };
}

describe('PipedConnections', () => {
  it("ending a session closes exactly that session's connections", () => {
    const registry = new PipedConnections();
    const [a1, a2, b1] = [connection(), connection(), connection()];
    registry.add('a', a1);
    registry.add('a', a2);
    registry.add('b', b1);
    expect(registry.endSession('a')).toBe(2);
    expect([a1.isClosed(), a2.isClosed(), b1.isClosed()]).toEqual([true, true, false]);
    expect(registry.endSession('a')).toBe(0);
  });

  it('a connection that arrives after its session ended is closed at once', () => {
    const registry = new PipedConnections();
    registry.endSession('late');
    const c = connection();
    expect(registry.add('late', c)).toBe(false);
    expect(c.isClosed()).toBe(true);
  });

  it('forgets connections that closed on their own', async () => {
    const registry = new PipedConnections();
    const c = connection();
    registry.add('s', c);
    c.close();
    await c.closed;
    await Promise.resolve();
    let reclosed = 0;
    c.close = () => void reclosed++;
    expect(registry.endSession('s')).toBe(0);
    expect(reclosed).toBe(0);
  });

  it('closeAll closes everything', () => {
    const registry = new PipedConnections();
    const cs = [connection(), connection(), connection()];
    cs.forEach((c, i) => registry.add(`s${i % 2}`, c));
    registry.closeAll();
    expect(cs.every((c) => c.isClosed())).toBe(true);
  });
});
