import { readFileSync } from 'node:fs';
import path from 'node:path';
import { commandLine, processArgs } from './processes.js';

const USER_DATA_DIR = '--user-data-dir=';

/**
 * The profile dir a Chromium process was started with; undefined once it is gone or when it
 * has none. The browser process keeps its arguments apart (a dir with spaces survives); its
 * helpers rewrite theirs into one space-separated string (setproctitle), read up to a space.
 */
export function userDataDir(pid: number): string | undefined {
  const exact = processArgs(pid)?.find((a) => a.startsWith(USER_DATA_DIR));
  if (exact !== undefined) return exact.slice(USER_DATA_DIR.length);
  return /--user-data-dir=(\S+)/.exec(commandLine(pid) ?? '')?.[1];
}

/**
 * The browser's own DevTools address, bypassing whatever proxies it: Chromium writes its port
 * and browser path to `<user-data-dir>/DevToolsActivePort`, and its command line names that dir.
 */
export function devtoolsAddress(pid: number): string {
  const dir = userDataDir(pid);
  if (!dir) throw new Error(`pid ${pid} has no --user-data-dir`);
  const [port, browserPath] = readFileSync(path.join(dir, 'DevToolsActivePort'), 'utf8').trim().split('\n');
  return `ws://127.0.0.1:${port}${browserPath}`;
}
