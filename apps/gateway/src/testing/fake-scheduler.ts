import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { NatsConnection } from '@hangar/messaging';
import {
  createSessionCommand,
  refusal,
  releaseSessionCommand,
  subjects,
  type CommandError,
  type CreateSessionCommand,
  type ReleaseSessionCommand,
  type SessionSnapshot,
} from '@hangar/contracts';
import { sessionAggregate, sessionExpiresAt, toSnapshot, type SessionState } from '@hangar/domain';
import { executeCommand, natsCommandTransport, type EventStore } from '@hangar/messaging';

type Reply = { ok: true; value: SessionSnapshot } | { ok: false; error: CommandError };

/**
 * Stands in for apps/scheduler on the real NATS command subjects, through Nest's real NATS
 * transport, so the gateway is tested against the wire it will meet. By default it does what
 * the scheduler does on success: appends the session's events to the real event store (so reads
 * fold them) and replies with the snapshot. Tests swap `onCreate` / `onRelease` to refuse.
 */
export class FakeScheduler {
  readonly creates: CreateSessionCommand[] = [];
  readonly releases: ReleaseSessionCommand[] = [];
  onCreate: (cmd: CreateSessionCommand) => Promise<Reply | 'hang'> = (cmd) => this.startSession(cmd);
  onRelease: (cmd: ReleaseSessionCommand) => Promise<Reply> = (cmd) => this.endSession(cmd);

  constructor(
    private readonly store: EventStore,
    /** The node endpoint a started session gets, e.g. a FakeNode's. */
    public endpointFor: (sessionId: string) => string = (id) => `ws://127.0.0.1:1/sessions/${id}`,
  ) {}

  reset(): void {
    this.creates.length = 0;
    this.releases.length = 0;
    this.onCreate = (cmd) => this.startSession(cmd);
    this.onRelease = (cmd) => this.endSession(cmd);
  }

  /** Requested → scheduled → started, as the scheduler and a node would append them. */
  async startSession(cmd: CreateSessionCommand, options: { start?: boolean } = {}): Promise<Reply> {
    const sessionId = randomUUID();
    const meta = { correlationId: cmd.correlationId };
    // The real scheduler takes the project's defaultTimeout; this one stands in with 300 s.
    const timeoutSeconds = cmd.timeoutSeconds ?? 300;
    let state: SessionState = (
      await executeCommand(
        this.store,
        sessionAggregate,
        sessionId,
        {
          type: 'Request',
          data: {
            sessionId,
            projectId: cmd.projectId,
            keepAlive: cmd.keepAlive,
            timeoutSeconds,
            region: cmd.region,
            expiresAt: sessionExpiresAt(Date.now(), timeoutSeconds),
            ...(cmd.userMetadata ? { userMetadata: cmd.userMetadata } : {}),
            ...(cmd.proxies !== undefined ? { proxies: cmd.proxies } : {}),
            browserSettings: cmd.browserSettings,
          },
        },
        meta,
      )
    ).state;
    state = (await executeCommand(this.store, sessionAggregate, sessionId, { type: 'Schedule', nodeId: 'node-it' }, meta, state)).state;
    if (options.start !== false) {
      state = (await executeCommand(this.store, sessionAggregate, sessionId, { type: 'Start', nodeId: 'node-it', endpoint: this.endpointFor(sessionId), pid: 4242 }, meta, state)).state;
    }
    return { ok: true, value: toSnapshot(state)! };
  }

  async endSession(cmd: ReleaseSessionCommand): Promise<Reply> {
    const meta = { correlationId: cmd.correlationId };
    let { state } = await executeCommand(this.store, sessionAggregate, cmd.sessionId, { type: 'RequestRelease' }, meta).catch(() => ({ state: undefined }));
    if (!state || state.kind === 'absent') return refusal({ code: 'NOT_FOUND', message: `session ${cmd.sessionId} not found` });
    state = (await executeCommand(this.store, sessionAggregate, cmd.sessionId, { type: 'End', reason: 'RELEASED' }, meta, state)).state;
    return { ok: true, value: toSnapshot(state)! };
  }
}

const SCHEDULER = Symbol('SCHEDULER');

@Controller()
class FakeSchedulerController {
  constructor(@Inject(SCHEDULER) private readonly scheduler: FakeScheduler) {}

  @MessagePattern(subjects.createSession)
  async create(@Payload() payload: unknown) {
    const cmd = createSessionCommand.parse(payload);
    this.scheduler.creates.push(cmd);
    const reply = await this.scheduler.onCreate(cmd);
    // Never answering is how a stuck scheduler looks to the gateway: its deadline must fire.
    if (reply === 'hang') return new Promise(() => undefined);
    return reply;
  }

  @MessagePattern(subjects.releaseSession)
  release(@Payload() payload: unknown) {
    const cmd = releaseSessionCommand.parse(payload);
    this.scheduler.releases.push(cmd);
    return this.scheduler.onRelease(cmd);
  }
}

export async function startFakeScheduler(natsUrl: string, scheduler: FakeScheduler): Promise<INestMicroservice> {
  @Module({ controllers: [FakeSchedulerController], providers: [{ provide: SCHEDULER, useValue: scheduler }] })
  class FakeSchedulerModule {}
  const app = await NestFactory.createMicroservice(FakeSchedulerModule, { ...natsCommandTransport(natsUrl, 'scheduler-it'), logger: false, abortOnError: false });
  await app.listen();
  // The subscriptions must have reached the server before a test's first request, or a loaded
  // machine answers it "no responders" (503): seen once in a full `npm test` run.
  await app.unwrap<NatsConnection>().flush();
  return app;
}
