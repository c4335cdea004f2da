import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { waitForPort, withTimeout } from './free-port.js';
import { oneLine, StartFailure } from './start-failure.js';
import { killStale } from './stale-processes.js';

export interface RunningNats {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** nats-server's own reason, from its last fatal or error line (`[FTL] Can't start JetStream: …`). */
export function natsFailure(output: string): string | undefined {
  const line = output
    .split('\n')
    .map((l) => /\[(FTL|ERR)\]\s+(.*)$/.exec(l)?.[2])
    .filter((l) => l !== undefined)
    .pop();
  return line === undefined ? undefined : oneLine(line);
}

/**
 * A nats-server child with JetStream on loopback. File storage under `dataDir`: the event log
 * outlives restarts of the local stack like a real deployment's does. Failures are StartFailures
 * (`nats: …`) that quote nats-server's own reason.
 */
export async function startNatsServer(options: { binary: string; dataDir: string; port?: number }): Promise<RunningNats> {
  // Only when missing: a store path that is a file is nats-server's to refuse, in its words.
  if (!existsSync(options.dataDir)) mkdirSync(options.dataDir, { recursive: true });
  await killStale(`-sd ${options.dataDir}`);
  // Its own process group: a terminal's Ctrl-C reaches the whole foreground group, and NATS must
  // outlive the browser-nodes' shutdown (they append SessionEnded); the stack stops it last.
  // Without a port it picks one itself (-1) and logs it: a port chosen for it beforehand could be
  // taken by another process's bind in the meantime.
  const child = spawn(options.binary, ['-a', '127.0.0.1', '-p', String(options.port ?? -1), '-js', '-sd', options.dataDir, '--http_port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  let listening: (port: number) => void;
  const listeningOn = new Promise<number>((resolve) => (listening = resolve));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    const port = /Listening for client connections on [^\s]*:(\d+)/.exec(stderr)?.[1];
    if (port) listening(Number(port));
  });
  let spawnError: Error | undefined;
  // A binary that cannot run (EACCES, ENOENT) emits 'error', and maybe 'exit' after it.
  child.on('error', (err) => (spawnError ??= err));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const exitFailure = () => {
    if (spawnError) return new StartFailure('nats', `cannot run ${options.binary}: ${spawnError.message}`);
    const why = natsFailure(stderr) ?? (oneLine(stderr.trim().split('\n').slice(-2).join('\n')) || 'no output');
    return new StartFailure('nats', `nats-server exited: ${why} (store: ${options.dataDir})`);
  };
  let port: number;
  try {
    // An early exit settles the wait too, so its timer does not keep the process alive for 15 s.
    // 'close', not 'exit': its last words (the [FTL] line) may still be in the pipe at its exit.
    const ended = new Promise<undefined>((resolve) => {
      child.once('close', () => resolve(undefined));
      child.once('error', () => resolve(undefined));
    });
    const listeningOrExited = Promise.race([listeningOn, ended]);
    const reported = await withTimeout(listeningOrExited, 15_000, 'nats-server did not report listening within 15000 ms');
    if (reported === undefined) throw exitFailure();
    port = reported;
    await waitForPort(port);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err instanceof StartFailure ? err : new StartFailure('nats', (err as Error).message);
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
