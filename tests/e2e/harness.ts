import { rmSync } from 'node:fs';
import { startStack, type ServiceName, type Stack } from '@hangar/stack';
import { chromiumProcesses, eventually, own, tempDir } from '@hangar/testing';

export interface TestStack {
  stack: Stack;
  logs: string[];
  dataDir: string;
  /** Stops everything and proves no Chromium of this stack is left running. */
  stop(): Promise<void>;
}

/** The whole stack, as `npm start` runs it, on free ports and a temp data dir. */
export async function startTestStack(
  options: {
    concurrency?: number;
    nodes?: number;
    schedulers?: number;
    createRatePerMinute?: number;
    env?: Partial<Record<ServiceName, Record<string, string>>>;
    labelEnv?: Record<string, Record<string, string>>;
    /** An external NATS (a test cluster's `nats://a,nats://b,nats://c`) instead of the stack's own nats-server. */
    natsUrl?: string;
    streamReplicas?: number;
  } = {},
): Promise<TestStack> {
  const dataDir = tempDir('hangar-e2e-');
  const logs: string[] = [];
  // Owned by the test file: a beforeAll that times out while the stack starts still stops it.
  const stack = await own(
    `stack in ${dataDir}`,
    startStack({
      dataDir,
      // The temp dir is 0711 already: Postgres and the browsers' users reach it, nothing is left
      // under /var/lib/hangar, and the tests find the nodes' folders at <dataDir>/nodes/<id>.
      runtimeDir: dataDir,
      port: 0,
      concurrency: options.concurrency ?? 3,
      nodes: options.nodes ?? 1,
      schedulers: options.schedulers ?? 1,
      createRatePerMinute: options.createRatePerMinute,
      natsUrl: options.natsUrl,
      streamReplicas: options.streamReplicas,
      labelEnv: options.labelEnv ?? {},
      logLevel: process.env.HANGAR_TEST_LOG_LEVEL ?? 'warn',
      env: options.env ?? {},
      log: (line) => {
        logs.push(line);
        if (process.env.HANGAR_TEST_LOGS) process.stdout.write(`${line}\n`);
      },
    }),
  ).catch((err: unknown) => {
    throw new Error(`stack did not start: ${String(err)}\n${logs.slice(-40).join('\n')}`);
  });
  return {
    stack,
    logs,
    dataDir,
    async stop() {
      await stack.stop();
      // Teardown kills each Chromium tree and confirms it exited; nothing may remain.
      await eventually(() => chromiumProcesses(dataDir), (pids) => pids.length === 0, 5_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(stack: Stack, method: string, path: string, body?: unknown, apiKey = stack.apiKey) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { 'x-bb-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

export { eventually, chromiumProcesses };
