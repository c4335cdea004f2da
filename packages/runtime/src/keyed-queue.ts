/**
 * Runs tasks one at a time per key, in the order they were queued; different keys run
 * concurrently. The browser-node runs a session's state changes (start, connect, disconnect,
 * crash, stop) through its key so each decides on the state the previous one left, and a
 * disconnect is never appended before the connect it closes; the scheduler runs admission per
 * project through it so racing creates never both take the last slot.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget idle keys, or a long-lived node would keep one entry per session it ever ran.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
