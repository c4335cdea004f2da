import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { processesOfUid, processStartTime } from '../chromium/process-group.js';

const run = promisify(execFile);

/** An unprivileged OS user one browser runs as, for that browser's whole life. */
export interface BrowserUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export const BROWSER_USER_PREFIX = 'hangar-browser-';

/** Where leases live: tmpfs on most hosts, so a reboot (which ends every browser) frees them all. */
export const DEFAULT_LEASE_DIR = '/run/hangar/browser-users';

interface LeaseOwner {
  pid: number;
  /** /proc/<pid>/stat field 22: with the pid, it names one process even after the pid is reused. */
  startTime: string;
  nodeId: string;
}

/** SIGKILL to every process of the uid, then waits (up to `timeoutMs`) until none is left. */
export async function killUid(uid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = processesOfUid(uid);
    if (pids.length === 0) return true;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function passwdEntries(): Map<string, BrowserUser> {
  const users = new Map<string, BrowserUser>();
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name?.startsWith(BROWSER_USER_PREFIX)) users.set(name, { name, uid: Number(uid), gid: Number(gid) });
  }
  return users;
}

/**
 * The host's pool of browser users, `hangar-browser-<k>`: system users without a home or a login
 * shell, created on demand (so the pool grows to the host's peak number of browsers and no
 * further), shared by every browser-node on the host. A user is leased to one browser at a time
 * through a file created with O_EXCL in `leaseDir`, naming the node process that holds it; a
 * lease whose holder is gone (a node killed with SIGKILL) is taken over once every process of
 * that user is killed. Two browsers never share a uid, so neither can read the other's profile,
 * downloads or uploads, signal its processes or attach a debugger to them.
 */
export class BrowserUserPool {
  private readonly held = new Set<string>();
  private creating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly nodeId: string,
    private readonly leaseDir = DEFAULT_LEASE_DIR,
  ) {}

  async lease(): Promise<BrowserUser> {
    mkdirSync(this.leaseDir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 5; attempt++) {
      const users = passwdEntries();
      for (const user of [...users.values()].sort((a, b) => a.uid - b.uid)) {
        if (this.held.has(user.name)) continue;
        if (await this.tryLease(user)) return user;
      }
      // Every user is taken: one more. Serialised within the node; another node adding the same
      // name at the same moment makes useradd fail with "already exists", and the loop retries.
      await (this.creating = this.creating.then(() => this.createUser(users)).catch(() => undefined));
    }
    throw new Error('could not lease a browser user: useradd did not add one (is /etc/passwd writable?)');
  }

  /**
   * Kills what the user still runs (a process that left the browser's group included), runs
   * `cleanup` (its folders and files go, with nothing left to write into them), and only then
   * frees the lease: the next browser of this uid inherits nothing.
   */
  async release(user: BrowserUser, cleanup: () => Promise<void> | void = () => undefined): Promise<void> {
    if (!(await killUid(user.uid))) throw new Error(`processes of ${user.name} survive SIGKILL; its lease is kept`);
    await cleanup();
    this.held.delete(user.name);
    try {
      unlinkSync(this.leaseFile(user));
    } catch {
      // Taken over already (this node was thought dead): nothing to give back.
    }
  }

  private leaseFile(user: BrowserUser): string {
    return path.join(this.leaseDir, user.name);
  }

  private async tryLease(user: BrowserUser): Promise<boolean> {
    const file = this.leaseFile(user);
    const owner: LeaseOwner = { pid: process.pid, startTime: processStartTime(process.pid) ?? '', nodeId: this.nodeId };
    let takenOver = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        this.held.add(user.name);
        // A lease given back had nothing left running (release); one taken over from a holder
        // that died may: that goes before anyone runs as the user again. Not scanned otherwise:
        // a launch is spared a walk of /proc.
        if (takenOver && !(await killUid(user.uid))) {
          await this.release(user).catch(() => undefined);
          return false;
        }
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!this.holderGone(file)) return false;
        try {
          unlinkSync(file);
          takenOver = true;
        } catch {
          return false;
        }
      }
    }
    return false;
  }

  private holderGone(file: string): boolean {
    let owner: LeaseOwner;
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as LeaseOwner;
    } catch {
      // Half-written by a holder that died between open and write, or unreadable: stale.
      return true;
    }
    if (owner.pid === process.pid && owner.startTime === processStartTime(process.pid)) return false;
    return processStartTime(owner.pid) !== owner.startTime;
  }

  private async createUser(known: Map<string, BrowserUser>): Promise<void> {
    let k = 0;
    while (known.has(`${BROWSER_USER_PREFIX}${k}`)) k++;
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--comment', 'Hangar browser', `${BROWSER_USER_PREFIX}${k}`]).catch(
      (err: unknown) => {
        // 9: the name exists (another node made it); anything else is worth the caller's retry.
        if ((err as { code?: number }).code !== 9) throw err;
      },
    );
  }
}
