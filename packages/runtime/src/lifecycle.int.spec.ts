import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, processAlive } from '@hangar/testing';

const RUNTIME = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

describe('stopWithLauncher with real processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-launcher-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * launcher (killed with SIGKILL) → service, spawned as the stack spawns one: detached, with an
   * IPC channel. The service has a SIGTERM handler that takes a while, like a real shutdown.
   */
  function startLauncher(serviceSource: string) {
    const service = path.join(dir, 'service.mjs');
    writeFileSync(service, serviceSource);
    const launcher = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, [${JSON.stringify(service)}], { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
         require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, 'pid'))}, String(c.pid));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: 'inherit' },
    );
    return launcher;
  }
  const marker = () => path.join(dir, 'shut-down');
  const servicePid = async () => {
    await eventually(() => existsSync(path.join(dir, 'pid')) && existsSync(path.join(dir, 'ready')), Boolean);
    return Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
  };

  it('shuts the service down as on SIGTERM, once, when its launcher is killed', async () => {
    const launcher = startLauncher(`
      import { appendFileSync, writeFileSync } from 'node:fs';
      import { stopWithLauncher } from ${JSON.stringify(RUNTIME)};
      process.once('SIGTERM', () => {
        appendFileSync(${JSON.stringify(marker())}, 'SIGTERM\\n');
        // A shutdown that takes a while; a second SIGTERM meanwhile would kill it half way.
        setTimeout(() => { appendFileSync(${JSON.stringify(marker())}, 'done\\n'); process.exit(0); }, 300);
      });
      stopWithLauncher();
      setInterval(() => {}, 1000);
      writeFileSync(${JSON.stringify(path.join(dir, 'ready'))}, '');
    `);
    const pid = await servicePid();
    expect(processAlive(pid)).toBe(true);
    launcher.kill('SIGKILL');
    await eventually(() => processAlive(pid), (alive) => !alive);
    expect(readFileSync(marker(), 'utf8')).toBe('SIGTERM\ndone\n');
  });

  it('does not keep a service alive that has nothing else to do', async () => {
    const launcher = startLauncher(`
      import { writeFileSync } from 'node:fs';
      import { stopWithLauncher } from ${JSON.stringify(RUNTIME)};
      stopWithLauncher();
      writeFileSync(${JSON.stringify(path.join(dir, 'ready'))}, '');
      setTimeout(() => writeFileSync(${JSON.stringify(marker())}, 'exited by itself'), 100);
    `);
    try {
      const pid = await servicePid();
      await eventually(() => processAlive(pid), (alive) => !alive);
      expect(readFileSync(marker(), 'utf8')).toBe('exited by itself');
    } finally {
      launcher.kill('SIGKILL');
    }
  });
});
