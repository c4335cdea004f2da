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

export interface RunningService {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | NodeJS.Signals>;
  /** Set once `stop` was called: an exit after it is expected, not a crash. */
  readonly stopRequested: boolean;
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
  const child = spawn(process.execPath, ['--enable-source-maps', ...profile, SERVICE_ENTRYPOINTS[service]], {
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
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 0)));
  let stopRequested = false;
  return {
    name: label,
    process: child,
    exited,
    get stopRequested() {
      return stopRequested;
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
