import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { signalGroup } from '@hangar/chromium';

const STARTED = /was started successfully on port (\d+)/;

/**
 * One chromedriver for one session's browser, on loopback, attached to nothing yet (the first
 * `POST /session` attaches it through `goog:chromeOptions.debuggerAddress`).
 *
 * What protects it: chromedriver has no authentication of its own and listens on 127.0.0.1, which
 * every browser's pages on this host can reach. Three things keep it useless to them:
 * - its URL base is 32 random bytes (`--url-base=/<secret>`) that only the node and this process
 *   know: every other path answers "unhandled request", so a page that finds the port still cannot
 *   name a command. The gateway never passes the secret on. (It is on chromedriver's command line:
 *   a page cannot read /proc — file: is closed by the CDP guard and Chromium's policy — but code
 *   that escaped a renderer *and* Chromium's sandbox, as the browser's user, could; an iptables
 *   owner rule for the browser uids would close that too, and is not built.)
 * - chromedriver refuses any request whose `Origin` is not a loopback origin (so a page on the web
 *   cannot even send one with a form or `fetch`), and any `Host` other than an IP or localhost
 *   (DNS rebinding);
 * - the node forwards only what passed webdriver-request.ts (no raw CDP, no file transfer, no
 *   local navigation), after its internal-token check for purpose 'webdriver' and this session.
 *
 * Its own process group, so a kill takes whatever it started; `--user-data-dir=<session folder>`
 * is a marker only (chromedriver ignores the switch): the orphan sweep of a node that died kills
 * processes carrying its profiles root, chromedriver included.
 */
export class Chromedriver {
  readonly urlBase = `/${randomBytes(32).toString('base64url')}`;
  private child: ChildProcess | undefined;
  private readonly exited: Promise<void>;
  private markExited!: () => void;
  port = 0;

  constructor(
    private readonly binary: string,
    private readonly marker: string,
  ) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  /** Resolves once chromedriver listens; rejects with its output when it does not within `timeoutMs`. */
  async start(timeoutMs = 10_000): Promise<void> {
    const child = spawn(this.binary, ['--port=0', `--url-base=${this.urlBase}`, '--log-level=WARNING', `--user-data-dir=${this.marker}`], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
    });
    this.child = child;
    child.once('exit', () => this.markExited());
    child.once('error', () => this.markExited());
    let output = '';
    await new Promise<void>((resolve, fail) => {
      const timer = setTimeout(() => fail(new Error(`chromedriver did not start within ${timeoutMs} ms: ${output.slice(-500)}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const port = STARTED.exec(output)?.[1];
        if (!port) return;
        this.port = Number(port);
        clearTimeout(timer);
        resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        fail(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`chromedriver exited (${code ?? signal}) before listening: ${output.slice(-500)}`));
      });
    });
    // Past the start line nothing it prints is needed; keep the pipes drained.
    child.stdout!.resume();
    child.stderr!.resume();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL to its whole group; resolves once it has exited. Idempotent. */
  async kill(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    if (this.running) {
      try {
        signalGroup(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await this.exited;
  }
}
