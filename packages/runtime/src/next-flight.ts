/**
 * Shares one asynchronous read between concurrent callers without ever answering a caller with a
 * read that began before it called. At most one read runs; callers that arrive while it runs all
 * wait for the one read that starts when it ends. Every answer is therefore at least as fresh as
 * the caller's arrival (what read-your-writes needs), and a burst of N callers costs two reads,
 * not N.
 */
export function nextFlight<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = () => {
    const flight = read();
    running = flight;
    const clear = () => {
      if (running === flight) running = undefined;
    };
    flight.then(clear, clear);
    return flight;
  };
  return () => {
    if (!running) return start();
    queued ??= running.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}
