import type { Logger } from 'pino';

type Closer = () => Promise<void> | void;

/**
 * Runs the closers in reverse order of registration on SIGINT/SIGTERM, once, then exits. A closer
 * that hangs cannot keep the process alive past `graceMs`: an orchestrator's SIGKILL would
 * otherwise be the only thing that ends it, and a browser-node killed that way leaks Chromium.
 */
export function onShutdown(logger: Logger, closers: Closer[], graceMs = 10_000): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      const timer = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, graceMs);
      timer.unref();
      for (const close of [...closers].reverse()) {
        try {
          await close();
        } catch (err) {
          logger.error({ err }, 'error during shutdown');
        }
      }
      clearTimeout(timer);
    })();
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    void shutdown().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return shutdown;
}

/**
 * A service the local stack launched runs in a session of its own (so Linux's autogroup
 * scheduling gives it a CPU share of its own instead of one share for the whole stack), out of
 * reach of the terminal's Ctrl-C; the IPC channel the stack opens to it is its tie. When the
 * stack goes, however it goes (a SIGKILL included), the channel closes and the service shuts
 * down as on SIGTERM. A service started any other way (a container, systemd) has no channel and
 * nothing happens.
 */
export function stopWithLauncher(): void {
  if (!process.channel) return;
  process.channel.unref();
  const leave = () => {
    // No SIGTERM listener left: a shutdown is already under way (the listeners run once), and a
    // second SIGTERM would only kill the process in the middle of it.
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
  };
  // Called once the shutdown handlers are in place; the stack may have gone during the boot.
  if (!process.connected) leave();
  else process.once('disconnect', leave);
}

/**
 * Tells the local stack, over its IPC channel, why this service cannot start, in words a person
 * can act on (`port 3000 is in use (set HANGAR_PORT)`): the stack prints it as the reason its
 * start failed. Resolves once sent (an exit right after a send could drop it); a no-op without
 * a launcher.
 */
export function reportFatal(message: string): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send({ type: 'fatal', message }, undefined, {}, () => resolve());
  });
}
