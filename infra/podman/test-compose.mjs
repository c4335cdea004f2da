// `npm run test:compose`: docker-compose.yml for real, with Debian's podman and podman-compose
// (no Docker engine here). Builds every image one at a time from the compose file's `build:`
// entries, brings the stack up, scales browser-node to 2, runs the SDK lifecycle through the
// gateway container, drains one node by SIGUSR2 to its PID 1 and runs a session on the other, and
// tears everything down: containers, volumes, network, and (unless HANGAR_KEEP_IMAGES=1) the images.
// Needs root and `apt-get install podman podman-compose mmdebstrap`; takes 6–10 minutes.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..');
const project = 'hangarcomposetest';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hangar-compose-'));
const env = {
  ...process.env,
  CONTAINERS_CONF: path.join(root, 'infra/podman/containers.conf'),
  HANGAR_API_KEY: `hgr_${randomBytes(18).toString('hex')}`,
  HANGAR_SIGNING_SECRET: randomBytes(24).toString('hex'),
  HANGAR_INTERNAL_SECRET: randomBytes(24).toString('hex'),
  HANGAR_CONTEXT_KEY: randomBytes(32).toString('hex'),
  POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
};
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const results = [];

function run(cmd, args, { allowFail = false, quiet = true } = {}) {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (!quiet) process.stdout.write(r.stdout);
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${(r.stderr || r.stdout).slice(-3000)}`);
  return r;
}
const podman = (...args) => run('podman', args);
const podmanCompose = (files, ...args) => run('podman-compose', ['-p', project, ...files.flatMap((f) => ['-f', f]), ...args], { allowFail: true });
const container = (service, k = 1) => `${project}_${service}_${k}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${err instanceof Error ? err.message : err}`);
    throw err;
  }
}

/** podman runs healthchecks from systemd timers, and there is no systemd here: run the compose-defined check. */
async function healthy(name, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (run('podman', ['healthcheck', 'run', name], { allowFail: true }).status !== 0) {
    if (Date.now() > deadline) throw new Error(`${name} not healthy within ${timeoutMs} ms:\n${run('podman', ['logs', '--tail', '20', name], { allowFail: true }).stderr}`);
    await sleep(1000);
  }
}
function exitedZero(name) {
  const code = podman('wait', name).stdout.trim();
  if (code !== '0') throw new Error(`${name} exited ${code}:\n${run('podman', ['logs', '--tail', '20', name], { allowFail: true }).stderr}`);
}

function teardown() {
  const files = ['docker-compose.yml', path.join(tmp, 'scale.yml')];
  podmanCompose(files, 'down', '-v');
  // podman-compose 1.0 leaves one-shot and scaled containers it did not start in this call.
  const left = run('podman', ['ps', '-a', '-q', '--filter', `label=io.podman.compose.project=${project}`], { allowFail: true }).stdout.split('\n').filter(Boolean);
  if (left.length) run('podman', ['rm', '-f', ...left], { allowFail: true });
  for (const volume of ['nats-data', 'pg-data']) run('podman', ['volume', 'rm', '-f', `${project}_${volume}`], { allowFail: true });
  run('podman', ['network', 'rm', '-f', `${project}_default`], { allowFail: true });
}

const baseUrl = 'http://127.0.0.1:3000';
let failed = false;
try {
  teardown(); // what a killed run left
  await check('base images (mmdebstrap + npm registry), tagged as the compose file names them', () => {
    run('sh', ['infra/podman/base-images.sh']);
  });
  // One build per image, one at a time (2 cores): migrate and seed use the projector's image.
  const builds = new Map(Object.values(compose.services).filter((s) => s.build).map((s) => [s.image, s.build]));
  for (const [image, build] of builds) {
    await check(`build ${image} from ${build.dockerfile}`, () => {
      podman('build', '--network', 'host', '-f', build.dockerfile, '-t', image, build.context);
    });
  }
  // podman-compose 1.0 ignores depends_on's conditions and `up --scale`: the order is kept here,
  // with each service's own healthcheck, and the scale goes through deploy.replicas.
  await check('nats and postgres healthy', async () => {
    podmanCompose(['docker-compose.yml'], 'up', '-d', 'nats', 'postgres');
    await healthy(container('nats'));
    await healthy(container('postgres'));
  });
  await check('migrate completes', () => {
    podmanCompose(['docker-compose.yml'], 'up', '-d', 'migrate');
    exitedZero(container('migrate'));
  });
  await check('projector, scheduler, browser-node and gateway healthy', async () => {
    podmanCompose(['docker-compose.yml'], 'up', '-d', 'projector', 'scheduler', 'browser-node', 'gateway');
    for (const s of ['projector', 'scheduler', 'browser-node', 'gateway']) await healthy(container(s));
  });
  await check('seed completes, and again (idempotent)', () => {
    podmanCompose(['docker-compose.yml'], 'up', '-d', 'seed');
    exitedZero(container('seed'));
    podman('start', container('seed'));
    exitedZero(container('seed'));
  });
  await check('the node isolates its browsers: own users, Chromium sandbox', () => {
    const logs = run('podman', ['logs', container('browser-node')]).stdout;
    const plan = logs.split('\n').map((l) => l.trim()).filter((l) => l.includes('"browser isolation"')).map((l) => JSON.parse(l))[0];
    if (!plan?.ownUsers || !plan?.sandbox) throw new Error(`isolation plan: ${JSON.stringify(plan)}`);
  });
  const bb = new Browserbase({ apiKey: env.HANGAR_API_KEY, baseURL: baseUrl });
  const nodes = async () => (await (await fetch(`${baseUrl}/v1/nodes`, { headers: { 'X-BB-API-Key': env.HANGAR_API_KEY } })).json());
  await check('browser-node scaled to 2, both in the fleet', async () => {
    writeFileSync(path.join(tmp, 'scale.yml'), 'services:\n  browser-node:\n    deploy: { replicas: 2 }\n');
    podmanCompose(['docker-compose.yml', path.join(tmp, 'scale.yml')], 'up', '-d', 'browser-node');
    await healthy(container('browser-node', 2));
    for (let i = 0; (await nodes()).length < 2; i++) {
      if (i > 30) throw new Error(`fleet: ${JSON.stringify(await nodes())}`);
      await sleep(500);
    }
  });
  const projectId = compose.services.seed.environment.HANGAR_PROJECT_ID.replace(/^\$\{HANGAR_PROJECT_ID:-(.*)\}$/, '$1');
  /** create → connect through the gateway's published port → a page → release or Browser.close → COMPLETED. */
  async function lifecycle(i, end) {
    const session = await bb.sessions.create({ projectId });
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    const [page] = await browser.pages();
    await page.setContent(`<title>hangar ${i}</title>`);
    if ((await page.title()) !== `hangar ${i}`) throw new Error(`session ${session.id}: title ${await page.title()}`);
    if (end === 'release') await bb.sessions.update(session.id, { projectId, status: 'REQUEST_RELEASE' });
    else await browser.close();
    for (let k = 0; (await bb.sessions.retrieve(session.id)).status !== 'COMPLETED'; k++) {
      if (k > 40) throw new Error(`session ${session.id}: ${(await bb.sessions.retrieve(session.id)).status}`);
      await sleep(250);
    }
    return session;
  }
  await check('SDK lifecycle through the gateway container (one released, one closed by Browser.close)', async () => {
    await lifecycle(0, 'release');
    await lifecycle(1, 'close');
  });
  // Which node the scheduler picks is its business; draining one shows the other serves too.
  await check('node 1 drains on SIGUSR2 to its PID 1 (dumb-init) and exits 0; the next session runs on node 2', async () => {
    podman('kill', '--signal', 'USR2', container('browser-node', 1));
    exitedZero(container('browser-node', 1));
    for (let k = 0; (await nodes()).length !== 1; k++) {
      if (k > 40) throw new Error(`fleet after the drain: ${JSON.stringify(await nodes())}`);
      await sleep(250);
    }
    await lifecycle(2, 'release');
  });
} catch {
  failed = true;
} finally {
  teardown();
  if (process.env.HANGAR_KEEP_IMAGES !== '1') {
    const images = ['hangar/gateway', 'hangar/scheduler', 'hangar/projector', 'hangar/browser-node', 'node:26-trixie-slim', 'nats:2.12-alpine', 'postgres:18-alpine', 'hangar-local/debian:trixie-minbase'];
    run('podman', ['rmi', '-f', ...images.map((i) => `localhost/${i.includes(':') ? i : `${i}:latest`}`)], { allowFail: true });
    run('podman', ['image', 'prune', '-f'], { allowFail: true }); // the builds' intermediate layers
  }
  rmSync(tmp, { recursive: true, force: true });
  const left = run('podman', ['ps', '-a', '-q', '--filter', `label=io.podman.compose.project=${project}`], { allowFail: true }).stdout.trim();
  const ok = results.filter((r) => r.ok).length;
  console.log(left ? `containers left behind: ${left}` : 'nothing left running');
  console.log(`test:compose: ${ok} passed, ${results.length - ok + (left ? 1 : 0)} failed`);
  process.exit(failed || left ? 1 : 0);
}
