/** At most `limit` of the wrapped calls run at once; the others wait in arrival order. */
export function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let free = limit;
  const waiting: (() => void)[] = [];
  return async (work) => {
    while (free === 0) await new Promise<void>((r) => waiting.push(r));
    free--;
    try {
      return await work();
    } finally {
      free++;
      waiting.shift()?.();
    }
  };
}
