import { KeyedQueue } from './keyed-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KeyedQueue', () => {
  it('runs tasks of one key in order, one at a time, even when one fails', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const a = queue.run('s1', async () => {
      log.push('a:start');
      await tick();
      log.push('a:end');
      throw new Error('boom');
    });
    const b = queue.run('s1', async () => {
      log.push('b');
      return 2;
    });
    await expect(a).rejects.toThrow('boom');
    await expect(b).resolves.toBe(2);
    expect(log).toEqual(['a:start', 'a:end', 'b']);
  });

  it('runs different keys concurrently and forgets idle keys', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const blocked = queue.run('s1', () => new Promise<void>((r) => (release = r)));
    await queue.run('s2', async () => log.push('s2'));
    expect(log).toEqual(['s2']);
    release();
    await blocked;
    await queue.idle();
    expect((queue as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});
