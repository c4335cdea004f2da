import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { waitForPort, withTimeout } from './free-port.js';
import { killStale } from './stale-processes.js';

export interface RunningNats {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A nats-server child with JetStream on loopback. File storage under `dataDir`: the event log
 * outlives restarts of the local stack like a real deployment's does.
 */
export async function startNatsServer(options: { binary: string; dataDir: string; port?: number }): Promise<RunningNats> {
  mkdirSync(options.dataDir, { recursive: true });
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: number;
  try {
    port = await Promise.race([
      withTimeout(listeningOn, 15_000, `nats-server did not report listening within 15000 ms:\n${stderr}`),
      exited.then(() => {
        throw new Error(`nats-server exited during start:\n${stderr}`);
      }),
    ]);
    await waitForPort(port);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
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
