import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, listPids, processRunning } from '@hangar/chromium';

/** The repository this test file belongs to. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = 'packages/stack/dist/cli.js';

export interface CliRun {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr in the order written. */
  output(): string;
  lines(): string[];
  /** Resolves with the exit code (or signal). */
  exited: Promise<number | NodeJS.Signals>;
}

/**
 * `npm start` as a user runs it: `node packages/stack/dist/cli.js start` in `cwd`. stdout and
 * stderr share one file, so the last line read back is the last line the user saw.
 */
export function startCli(options: { cwd?: string; env: Record<string, string>; logFile: string; spawn?: SpawnOptions }): CliRun {
  const fd = openSync(options.logFile, 'w');
  const cwd = options.cwd ?? REPO_ROOT;
  const child = spawn(process.execPath, [path.join(cwd, CLI), 'start'], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', fd, fd],
    ...options.spawn,
  });
  closeSync(fd);
  const exited = new Promise<number | NodeJS.Signals>((resolve, reject) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 0));
    child.once('error', reject);
  });
  const output = () => readFileSync(options.logFile, 'utf8');
  return { child, exited, output, lines: () => output().split('\n').filter((l) => l.trim() !== '') };
}

/** Runs the CLI to its end (a failed start), with a ceiling in case it never ends. */
export async function runCliToEnd(options: Parameters<typeof startCli>[0], timeoutMs = 90_000) {
  const run = startCli(options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const code = await run.exited.finally(() => clearTimeout(timer));
  return { code, lines: run.lines(), output: run.output() };
}

/** Output a user should never see: a stack trace's frames, an unhandled 'error' event. */
export const rawTraces = (output: string) => output.split('\n').filter((l) => /^\s+at .+:\d+:\d+\)?$|Unhandled 'error' event|UnhandledPromiseRejection/.test(l));

/** Live processes whose command line mentions any of `markers` (a data, runtime or clone dir). */
export function processesOf(...markers: string[]): { pid: number; cmd: string }[] {
  return listPids().flatMap((pid) => {
    const cmd = commandLine(pid)?.trim();
    return pid !== process.pid && cmd !== undefined && markers.some((m) => cmd.includes(m)) && processRunning(pid) ? [{ pid, cmd }] : [];
  });
}

/** Live processes started with `NAME=value` in their environment (what a CLI passes to everything it spawns). */
export function processesWithEnv(name: string, value: string): { pid: number; cmd: string }[] {
  return listPids().flatMap((pid) => {
    if (pid === process.pid) return [];
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${name}=${value}`)) return [];
    } catch {
      return [];
    }
    const cmd = commandLine(pid)?.trim();
    return cmd !== undefined && processRunning(pid) ? [{ pid, cmd }] : [];
  });
}

/** Kills what a failed test left, so one failure does not leak into the next. */
export function killAll(processes: { pid: number }[]): void {
  for (const { pid } of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}
