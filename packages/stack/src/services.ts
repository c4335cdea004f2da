import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const SERVICE_ENTRYPOINTS = {
  gateway: path.join(ROOT, 'apps/gateway/dist/main.js'),
  scheduler: path.join(ROOT, 'apps/scheduler/dist/main.js'),
  'browser-node': path.join(ROOT, 'apps/browser-node/dist/main.js'),
  projector: path.join(ROOT, 'apps/projector/dist/main.js'),
} as const;
export type ServiceName = keyof typeof SERVICE_ENTRYPOINTS;

/**
 * Node's switches for every service, here and in each image's CMD (infra/images.spec.ts checks
 * they agree). `--no-memory-reducer`: after a quiet spell V8's memory reducer shrinks the heap to
 * what is live (~30 MB here), and the next large body streamed through the process (a downloads
 * zip, a context profile, a recording) then runs a full mark-compact every few MB until the heap
 * has grown back: measured, a 100 MB zip through node and gateway took 430–660 ms after a 30 s
 * idle-ish spell against 200–260 ms with the reducer off. The cost: a service keeps the heap it
 * grew to (tens of MB) instead of handing it back while idle.
 */
export const SERVICE_NODE_FLAGS = ['--enable-source-maps', '--no-memory-reducer'] as const;

export interface RunningService {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | NodeJS.Signals>;
  /**
   * Like `exited`, once its last output lines and IPC messages are in too ('close'), which can
   * come after the exit; at most a second after it.
   */
  settled: Promise<number | NodeJS.Signals>;
  /** Set once `stop` was called: an exit after it is expected, not a crash. */
  readonly stopRequested: boolean;
  /** Why the service gave up, in its own words (its `{ type: 'fatal', message }` IPC message), if it said. */
  readonly fatal: string | undefined;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export type LogSink = (line: string) => void;

/**
 * Runs one service as its own Node process, each output line prefixed with its name. Services
 * are the same entrypoints the Docker images run.
 */
export function startService(service: ServiceName, label: string, env: Record<string, string>, log: LogSink): RunningService {
  // Node refuses --cpu-prof in NODE_OPTIONS; HANGAR_CPU_PROF_DIR passes it to every service.
  const profile = process.env.HANGAR_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HANGAR_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...profile, SERVICE_ENTRYPOINTS[service]], {
    env: { ...process.env, ...env },
    // Each service in a session of its own, as each Chromium is: Linux's autogroup scheduler
    // shares the CPUs between sessions first, so in one session the whole control plane would
    // get one share against every busy browser's one (under churn at concurrency 4, a fifth of
    // the machine; projection lag p99 482 → 245 ms, creates and churn faster, once separated).
    // The IPC channel is the service's tie to the stack (stopWithLauncher): it shuts down when
    // the stack goes, since a terminal's Ctrl-C no longer reaches it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(`[${label}] ${line}`));
  }
  let fatal: string | undefined;
  child.on('message', (message: { type?: string; message?: unknown }) => {
    if (message?.type === 'fatal' && typeof message.message === 'string') fatal = message.message;
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 0));
    // A process that could not be spawned (EAGAIN) never exits; a closed IPC channel (EPIPE on
    // a send) is not worth a crash of the stack: both are 'error' events, which must be handled.
    child.on('error', (err) => {
      if (child.pid === undefined) resolve(1);
      log(`[${label}] ${err.message}`);
    });
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const settled = exited.then(async (code) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000)))]);
    clearTimeout(timer);
    return code;
  });
  let stopRequested = false;
  return {
    name: label,
    process: child,
    exited,
    settled,
    get stopRequested() {
      return stopRequested;
    },
    get fatal() {
      return fatal;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
      stopRequested = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
