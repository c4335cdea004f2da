import { spawn } from 'node:child_process';
import { findChromium } from '@hangar/chromium';

export interface TestChromium {
  /** DevTools port on 127.0.0.1 and the browser target's path, as the launcher reads them. */
  port: number;
  browserPath: string;
  wsUrl: string;
  stop(): Promise<void>;
}

const DEVTOOLS_LINE = /DevTools listening on (ws:\/\/[^\s]+)/;

/**
 * The machine's Chromium, started the way chromium.launcher.ts starts one (DevTools on a port of
 * its choosing, read from stderr), but alone: for tests of what sits in front of a browser (the
 * CDP guard) without a node. Its own process group, so `stop` takes its helpers too.
 */
export async function startTestChromium(userDataDir: string): Promise<TestChromium> {
  const chromePath = findChromium(process.env.CHROME_PATH);
  if (!chromePath) throw new Error('Chromium not found (set CHROME_PATH)');
  const child = spawn(chromePath, ['--headless=new', '--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, '--no-first-run', 'about:blank'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  const wsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${stderr}`)), 15_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8_192);
      const match = DEVTOOLS_LINE.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(() => reject(new Error(`Chromium exited during start:\n${stderr}`)));
  });
  const url = new URL(wsUrl);
  return {
    port: Number(url.port),
    browserPath: url.pathname,
    wsUrl,
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    },
  };
}
