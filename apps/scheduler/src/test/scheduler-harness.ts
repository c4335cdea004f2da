import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import {
  createSessionReply,
  ProjectCreated,
  releaseSessionReply,
  subjects,
  type CreateSessionCommand,
  type Region,
  type ReleaseSessionReply,
  type SessionEvent,
} from '@hangar/contracts';
import { natsCommandTransport, sendCommand } from '@hangar/messaging';
import { createLogger } from '@hangar/runtime';
import { startTestNats, type TestNats } from '@hangar/testing';
import { envSchema, type SchedulerEnv } from '../env.js';
import { SchedulerModule } from '../scheduler.module.js';
import { SchedulerRuntime } from '../scheduler.runtime.js';
import { FakeNode } from './fake-node.js';

export interface SchedulerHarness {
  nats: TestNats;
  env: SchedulerEnv;
  client: ClientProxy;
  runtime: SchedulerRuntime;
  addNode(nodeId: string, region: Region, maxSessions: number): Promise<FakeNode>;
  /** A project in the log, as the gateway's project creation appends it; returns its id. */
  addProject(limits: { concurrency: number; defaultTimeoutSeconds?: number; createRatePerMinute?: number }): Promise<string>;
  create(projectId: string, settings?: Partial<CreateSessionCommand>): ReturnType<typeof sendCreate>;
  release(projectId: string, sessionId: string): Promise<ReleaseSessionReply>;
  events(sessionId: string): Promise<SessionEvent[]>;
  stop(): Promise<void>;
}

const sendCreate = (client: ClientProxy, cmd: CreateSessionCommand) => sendCommand(client, subjects.createSession, cmd, createSessionReply, 15_000);

/**
 * The real scheduler (its Nest module, leader lease, log follower and command handlers) in this
 * process, against a real nats-server, started as main.ts starts it. Timeouts come from `env`, so
 * a test runs the real deadline and node-loss paths in milliseconds.
 */
export async function startScheduler(overrides: Partial<Record<keyof SchedulerEnv, string>>): Promise<SchedulerHarness> {
  const nats = await startTestNats();
  const nodes: FakeNode[] = [];
  let app: INestMicroservice | undefined;
  let client: ClientProxy | undefined;
  const stop = async () => {
    for (const node of nodes) await node.stop().catch(() => undefined);
    await client?.close();
    await app?.close().catch(() => undefined);
    await nats.stop();
  };
  try {
    const env = envSchema.parse({ NATS_URL: nats.url, LOG_LEVEL: 'silent', ...overrides });
    const logger = createLogger('scheduler-it', process.env.LOG_LEVEL ?? 'silent');
    app = await NestFactory.createMicroservice(SchedulerModule.forRoot(env, logger), {
      ...natsCommandTransport(env.NATS_URL, 'hangar-scheduler'),
      logger: false,
    });
    await app.init();
    const runtime = app.get(SchedulerRuntime);
    await runtime.lead();
    await app.listen();
    await app.unwrap<{ flush(): Promise<void> }>().flush();
    const commands = ClientProxyFactory.create(natsCommandTransport(nats.url) as never) as unknown as ClientProxy;
    client = commands;
    return {
      nats,
      env,
      client: commands,
      runtime,
      async addNode(nodeId, region, maxSessions) {
        const node = new FakeNode(nodeId, region, maxSessions, nats.nc, nats.store);
        nodes.push(node);
        await node.start(nats.url);
        return node;
      },
      async addProject(limits) {
        const projectId = randomUUID();
        const created = ProjectCreated.create(
          { projectId, name: 'it', ownerId: 'it', concurrency: limits.concurrency, defaultTimeoutSeconds: limits.defaultTimeoutSeconds ?? 21_600, createRatePerMinute: limits.createRatePerMinute },
          { correlationId: `it-${projectId}` },
        );
        await nats.store.append(subjects.projectEvents(projectId), [created]);
        return projectId;
      },
      create: (projectId, settings = {}) =>
        sendCreate(commands, { correlationId: randomUUID(), projectId, keepAlive: false, region: 'us-west-2', browserSettings: {}, ...settings }),
      release: (projectId, sessionId) => sendCommand(commands, subjects.releaseSession, { correlationId: randomUUID(), projectId, sessionId }, releaseSessionReply, 15_000),
      events: async (sessionId) => (await nats.store.read(subjects.sessionEvents(sessionId))).map((e) => e.event as SessionEvent),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
