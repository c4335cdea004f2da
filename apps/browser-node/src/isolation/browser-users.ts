import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { processesOfUid, processStartTime } from '@hangar/chromium';

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

/** How often a node touches the leases it holds, so others can tell a fresh death from an old one. */
const LEASE_TOUCH_MS = 10_000;
/**
 * How long a lease of a dead holder stays for that holder's own node id. A node restarted under
 * the same id gets its previous run's users back at once (its start-up sweep has just killed and
 * counted their browsers); another node takes one over only once it has not been touched for this
 * long, so it does not kill a restarting node's orphans before that node's sweep sees them.
 */
const FOREIGN_TAKEOVER_AFTER_MS = 3 * LEASE_TOUCH_MS;

export interface LeaseOwner {
  pid: number;
  /** /proc/<pid>/stat field 22: with the pid, it names one process even after the pid is reused. */
  startTime: string;
  nodeId: string;
}

/**
 * Whether a lease file may be taken over: never while its holder lives; at once by the holder's
 * own node id (a restart, whose sweep has just killed the browsers); by anyone else only once
 * the lease has gone untouched for FOREIGN_TAKEOVER_AFTER_MS. An unreadable file (a holder died
 * between open and write, or is writing it now) is treated as a foreign one.
 */
export function mayTakeOver(lease: { owner: LeaseOwner | undefined; alive: boolean; untouchedMs: number; nodeId: string }): boolean {
  if (lease.alive) return false;
  if (lease.owner?.nodeId === lease.nodeId) return true;
  return lease.untouchedMs > FOREIGN_TAKEOVER_AFTER_MS;
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
 * that user is killed: at once by a node of the holder's id (its restart), by any other node once
 * the lease has not been touched for FOREIGN_TAKEOVER_AFTER_MS (a holder touches its leases). Two browsers never share a uid, so neither can read the other's profile,
 * downloads or uploads, signal its processes or attach a debugger to them.
 */
export class BrowserUserPool {
  private readonly held = new Set<string>();
  private creating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly nodeId: string,
    private readonly leaseDir = DEFAULT_LEASE_DIR,
  ) {
    // Unref'd: a node that exits stops touching, which is what a dead holder looks like.
    setInterval(() => this.touchHeld(), LEASE_TOUCH_MS).unref();
  }

  private touchHeld(): void {
    const now = new Date();
    for (const name of this.held) {
      try {
        utimesSync(path.join(this.leaseDir, name), now, now);
      } catch {
        // Released or taken over meanwhile.
      }
    }
  }

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
    let untouchedMs: number;
    try {
      untouchedMs = Date.now() - statSync(file).mtimeMs;
    } catch {
      return true;
    }
    let owner: LeaseOwner | undefined;
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as LeaseOwner;
    } catch {
      // Half-written by a holder that died between open and write, or unreadable.
    }
    const alive = owner !== undefined && processStartTime(owner.pid) === owner.startTime;
    return mayTakeOver({ owner, alive, untouchedMs, nodeId: this.nodeId });
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
