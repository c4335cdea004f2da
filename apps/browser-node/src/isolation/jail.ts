import { spawn } from 'node:child_process';
import type { BrowserFolders } from './browser-folders.js';
import type { BrowserUser } from './browser-users.js';

/** What this host lets the node do to fence a browser; decided once at start (browser-isolation.service.ts). */
export interface JailPlan {
  /** Each browser runs as its own OS user (the node runs as root). */
  readonly ownUsers: boolean;
  /** A private mount namespace per browser: the policy bound in, a private /tmp and /dev/shm. */
  readonly mountNamespace: boolean;
  /** Chromium's own sandbox (unprivileged user namespaces); without it `--no-sandbox`. */
  readonly sandbox: boolean;
  /** The node's policy folder and where Chromium looks for it (chromium-policy.ts). */
  readonly policy?: { folder: string; mountPoint: string };
}

/**
 * Runs as root in the browser's new mount namespace (unshare), then becomes the browser user for
 * good and execs Chromium: every step execs, so the spawned pid is Chromium's and its process
 * group is the one the node kills. Arguments travel as positional parameters ($1 the policy
 * folder, $2 where Chromium reads policies, $3 the browser's folder), never through the script's
 * text: paths with spaces or quotes stay one argument. The tmpfs mounts give the browser a /tmp
 * and a /dev/shm no other process on the host sees, gone with the namespace; /tmp only when the
 * browser's own folder is not under it (a tmpfs there would hide the folder).
 */
const MOUNTS = [
  'set -e',
  'mount --bind "$1" "$2"',
  'case "$3/" in /tmp/*) ;; *) mount -t tmpfs -o nosuid,nodev,mode=1777,size=1g hangar-tmp /tmp ;; esac',
  'mount -t tmpfs -o nosuid,nodev,mode=1777,size=1g hangar-shm /dev/shm',
];
const JAIL_SCRIPT = [...MOUNTS, 'shift 3', 'exec "$@"'].join('\n');

/** setpriv: the browser user's uid and gid only, no capabilities, and no way back (no setuid gain). */
const dropTo = (user: BrowserUser) => [
  'setpriv',
  `--reuid=${user.uid}`,
  `--regid=${user.gid}`,
  '--clear-groups',
  '--inh-caps=-all',
  '--bounding-set=-all',
  '--no-new-privs',
  '--',
];

export interface JailedCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * A clean environment: the node's own (NATS URL, secrets, credentials) never reaches a browser,
 * whose every process can read its own environ.
 */
export function browserEnvironment(folders: BrowserFolders, plan: JailPlan, headless: boolean, source: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: folders.home,
    XDG_CONFIG_HOME: `${folders.home}/.config`,
    XDG_CACHE_HOME: `${folders.home}/.cache`,
    XDG_DATA_HOME: `${folders.home}/.local/share`,
  };
  // Short, private and memory-backed: Chromium puts its singleton socket under TMPDIR (a Unix
  // socket path may not exceed 107 bytes: a TMPDIR inside the browser's folder made every launch
  // abort) and, with --disable-dev-shm-usage, its shared memory files. Without a namespace of its
  // own, the host's /tmp, swept of the user's files when the browser is gone (browser-folders.ts).
  if (plan.mountNamespace) env.TMPDIR = '/dev/shm';
  const passed = ['LANG', 'LANGUAGE', 'LC_ALL', 'TZ', ...(headless ? [] : ['DISPLAY', 'XAUTHORITY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR'])];
  for (const name of passed) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The command that starts `command args` fenced as the plan says. */
export function jailedCommand(plan: JailPlan, user: BrowserUser | undefined, folder: string, command: string, args: string[]): Omit<JailedCommand, 'env'> {
  const inner = user ? [...dropTo(user), command, ...args] : [command, ...args];
  if (plan.mountNamespace && plan.policy) {
    return {
      command: 'unshare',
      args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', JAIL_SCRIPT, 'hangar-jail', plan.policy.folder, plan.policy.mountPoint, folder, ...inner],
    };
  }
  return { command: inner[0]!, args: inner.slice(1) };
}

/** Exit code of a short probe command, or undefined when it could not run at all. */
export function probe(command: string, args: string[], options: { uid?: number; gid?: number } = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stderr: err.message });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.trim() });
    });
  });
}

/** The probe for a private mount namespace with the policy bound in: what every jailed launch runs first. */
export const mountNamespaceProbe = (policy: { folder: string; mountPoint: string }) =>
  probe('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', [...MOUNTS, 'true'].join('\n'), 'hangar-jail', policy.folder, policy.mountPoint, '/nonexistent']);

/**
 * Chromium's sandbox needs user, PID and network namespaces from an unprivileged process; the
 * probe asks for exactly those, as an unprivileged uid (nobody's, when the node is root).
 */
export const sandboxProbe = (asUid?: number) =>
  probe('unshare', ['--user', '--pid', '--net', '--fork', '--', 'true'], asUid === undefined ? {} : { uid: asUid, gid: asUid });
