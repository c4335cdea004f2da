import path from 'node:path';
import { z } from 'zod';
import { intFromEnv, parseEnv } from '@hangar/runtime';
import { startStack } from './stack.js';
import { asStartFailure, oneLine } from './start-failure.js';

const schema = z.object({
  HANGAR_PORT: intFromEnv(0, 65535).default(3000),
  HANGAR_HOST: z.string().default('127.0.0.1'),
  HANGAR_API_KEY: z.string().min(16).optional(),
  HANGAR_PROJECT_CONCURRENCY: intFromEnv(1, 10_000).default(5),
  HANGAR_DATA_DIR: z.string().default('.hangar'),
  /** Default: /var/lib/hangar/stacks/<hash of the data dir> as root, <data dir>/run otherwise (runtime-dir.ts). */
  HANGAR_RUNTIME_DIR: z.string().min(1).optional(),
  HANGAR_NODES: intFromEnv(1, 64).default(1),
  HANGAR_SCHEDULERS: intFromEnv(1, 5).default(1),
  HANGAR_PROJECT_CREATE_RATE: intFromEnv(1, 1_000_000).optional(),
  DATABASE_URL: z.string().optional(),
  NATS_URL: z.string().optional(),
  /** The event stream's replicas on an external NATS cluster (NATS_URL=nats://a,nats://b,nats://c); never lowered. */
  HANGAR_STREAM_REPLICAS: intFromEnv(1, 5).optional(),
  CHROME_PATH: z.string().optional(),
  LOG_LEVEL: z.string().default('info'),
});

// Once a start has failed, lines still on their way from the stopped services are dropped: the
// reason must be the last line printed.
let muted = false;
const out = (line: string) => {
  if (!muted) process.stdout.write(`${line}\n`);
};

/** The last line of a start that failed: what failed, why, what to do. */
function giveUp(reason: string): never {
  muted = true;
  process.stderr.write(`[hangar] could not start: ${reason}\n`);
  process.exit(1);
}

let env: z.infer<typeof schema>;
try {
  env = parseEnv(schema);
} catch (err) {
  giveUp(`configuration: ${oneLine((err as Error).message.replace(/^Invalid configuration:\s*/, ''))}`);
}

const command = process.argv[2] ?? 'start';
if (command !== 'start') {
  console.error(`usage: hangar start`);
  process.exit(2);
}

// Ctrl-C while starting: the start stops what it has started and fails with "interrupted".
const starting = new AbortController();
const interrupt = () => starting.abort();
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

out('[hangar] starting: Postgres, NATS, projector, scheduler, browser-node, gateway ...');
const stack = await startStack({
  dataDir: path.resolve(env.HANGAR_DATA_DIR),
  runtimeDir: env.HANGAR_RUNTIME_DIR === undefined ? undefined : path.resolve(env.HANGAR_RUNTIME_DIR),
  signal: starting.signal,
  port: env.HANGAR_PORT,
  host: env.HANGAR_HOST,
  apiKey: env.HANGAR_API_KEY,
  concurrency: env.HANGAR_PROJECT_CONCURRENCY,
  nodes: env.HANGAR_NODES,
  schedulers: env.HANGAR_SCHEDULERS,
  createRatePerMinute: env.HANGAR_PROJECT_CREATE_RATE,
  onGiveUp: (label) => {
    out(`[hangar] ${label} keeps failing; stopping the stack`);
    void stop(1);
  },
  databaseUrl: env.DATABASE_URL,
  natsUrl: env.NATS_URL,
  streamReplicas: env.HANGAR_STREAM_REPLICAS,
  chromePath: env.CHROME_PATH,
  logLevel: env.LOG_LEVEL,
  log: out,
}).catch((err: unknown) => {
  if (starting.signal.aborted) {
    muted = true;
    process.stderr.write('[hangar] stopped (interrupted while starting)\n');
    process.exit(130);
  }
  return giveUp(asStartFailure('stack', err).line);
});
process.off('SIGINT', interrupt);
process.off('SIGTERM', interrupt);

out(`
  Hangar is running.

  API URL:    ${stack.apiUrl}
  API key:    ${stack.apiKey}
  Project ID: ${stack.projectId}

  Try it with Puppeteer (npm i puppeteer-core @browserbasehq/sdk):

    import Browserbase from '@browserbasehq/sdk';
    import puppeteer from 'puppeteer-core';
    const bb = new Browserbase({ apiKey: '${stack.apiKey}', baseURL: '${stack.apiUrl}' });
    const session = await bb.sessions.create({ projectId: '${stack.projectId}' });
    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    const [page] = await browser.pages();
    await page.goto('https://example.com');
    console.log(await page.title());
    await browser.close();

  Ctrl-C stops everything.
`);

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  out('[hangar] stopping ...');
  await stack.stop();
  out('[hangar] stopped');
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
