import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startEmbeddedPostgres } from '@hangar/stack';
import { tempDir } from '@hangar/testing';
import { killAll, processesOf, processesWithEnv, rawTraces, runCliToEnd } from './cli-run.js';

/**
 * A start that fails at any step stops everything it started and says, on its last line, what
 * failed, why and what to do. Each case is a real failure of the real CLI; each checks that
 * nothing of that stack is left: no process naming its data or runtime dir, and none carrying
 * its HANGAR_DATA_DIR (the services).
 */
describe('npm start that cannot start', () => {
  let dataDir: string;
  let runtimeDir: string;
  beforeEach(() => {
    dataDir = tempDir('hangar-e2e-failed-start-');
    runtimeDir = path.join(dataDir, 'run');
  });

  const leftovers = () => [...processesOf(dataDir, runtimeDir), ...processesWithEnv('HANGAR_DATA_DIR', dataDir)];
  afterEach(() => {
    killAll(leftovers());
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  async function failedStart(env: Record<string, string> = {}) {
    const result = await runCliToEnd({
      env: { HANGAR_DATA_DIR: dataDir, HANGAR_RUNTIME_DIR: runtimeDir, HANGAR_PORT: '0', ...env },
      logFile: path.join(path.dirname(dataDir), `${path.basename(dataDir)}.log`),
    });
    expect(rawTraces(result.output)).toEqual([]);
    // Stopped before the CLI printed its reason and exited: nothing needs time to go away.
    expect(leftovers()).toEqual([]);
    expect(result.code).toBe(1);
    return result.lines.at(-1);
  }

  it('Chromium missing: says so and names CHROME_PATH', async () => {
    expect(await failedStart({ CHROME_PATH: '/nonexistent' })).toBe(
      '[hangar] could not start: chromium: CHROME_PATH=/nonexistent is not an executable file (fix or unset CHROME_PATH)',
    );
  });

  it('NATS cannot start: quotes nats-server, and stops the Postgres that came up meanwhile', async () => {
    // The store path is a file: nats-server refuses it, in its own words.
    writeFileSync(path.join(dataDir, 'nats'), 'not a folder');
    expect(await failedStart()).toBe(
      `[hangar] could not start: nats: nats-server exited: Can't start JetStream: storage directory is not a directory (store: ${path.join(dataDir, 'nats')})`,
    );
    // Postgres started beside it (its cluster is there) and was stopped (leftovers, above).
    expect(existsSync(path.join(runtimeDir, 'postgres', 'PG_VERSION'))).toBe(true);
  });

  it('Postgres cannot start: quotes its FATAL line and the file, and stops the nats-server that came up meanwhile', async () => {
    // An existing cluster with a bad setting, as a hand edit leaves one.
    mkdirSync(runtimeDir, { mode: 0o711 });
    const made = await startEmbeddedPostgres({ dataDir: path.join(runtimeDir, 'postgres') });
    await made.stop();
    const conf = path.join(runtimeDir, 'postgres', 'postgresql.conf');
    appendFileSync(conf, "\nshared_buffers = 'lots'\n");
    expect(await failedStart()).toBe(
      `[hangar] could not start: postgres: configuration file "${conf}" contains errors: invalid value for parameter "shared_buffers": "lots"`,
    );
    expect(existsSync(path.join(dataDir, 'nats', 'jetstream'))).toBe(true);
  });

  it('gateway port taken: names the port and HANGAR_PORT, and stops NATS, Postgres, the services and their browsers', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      expect(await failedStart({ HANGAR_PORT: String(port) })).toBe(`[hangar] could not start: gateway: port ${port} is in use (set HANGAR_PORT)`);
    } finally {
      holder.close();
    }
  });
});
