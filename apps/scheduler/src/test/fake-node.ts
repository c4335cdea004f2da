import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  refusal,
  startSessionCommand,
  stopSessionCommand,
  subjects,
  type NodeHeartbeat,
  type Region,
  type StartSessionCommand,
  type StopSessionCommand,
} from '@hangar/contracts';
import { foldSession, sessionAggregate, toSnapshot } from '@hangar/domain';
import { executeCommand, natsCommandTransport, type EventStore, type NatsConnection } from '@hangar/messaging';

export type StartBehaviour = 'start' | 'refuse' | 'hang';

/**
 * A browser-node as the scheduler sees it, on the real subjects: heartbeats every 100 ms, and
 * start / stop commands answered through Nest's NATS transport, appending what a node appends.
 * No browser: `start` records SessionStarted and, unless `connects` is off, a client connecting
 * (so the connect deadline stays out of tests that are not about it).
 */
export class FakeNode {
  readonly starts: StartSessionCommand[] = [];
  readonly stops: StopSessionCommand[] = [];
  onStart: StartBehaviour = 'start';
  connects = true;
  private readonly sessions = new Set<string>();
  private timer?: NodeJS.Timeout;
  private app?: INestMicroservice;

  constructor(
    readonly nodeId: string,
    readonly region: Region,
    readonly maxSessions: number,
    private readonly nc: NatsConnection,
    private readonly store: EventStore,
  ) {}

  async start(natsUrl: string): Promise<void> {
    this.app = await serveNode(natsUrl, this);
    this.resumeHeartbeats();
  }

  /** Falls silent, as a node that froze or lost its network. */
  stopHeartbeats(): void {
    clearInterval(this.timer);
  }

  resumeHeartbeats(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), 100);
  }

  async stop(): Promise<void> {
    this.stopHeartbeats();
    await this.app?.close();
  }

  async handleStart(cmd: StartSessionCommand) {
    this.starts.push(cmd);
    if (this.onStart === 'hang') return new Promise(() => undefined);
    if (this.onStart === 'refuse') return refusal({ code: 'LAUNCH_FAILED', message: 'chromium did not start (fake)' });
    const meta = { correlationId: cmd.correlationId };
    let { state } = await executeCommand(this.store, sessionAggregate, cmd.sessionId, { type: 'Start', nodeId: this.nodeId, endpoint: `ws://fake/${cmd.sessionId}`, pid: 1 }, meta, foldSession(cmd.history ?? []));
    this.sessions.add(cmd.sessionId);
    if (this.connects) state = (await executeCommand(this.store, sessionAggregate, cmd.sessionId, { type: 'Connect', connectionId: 'c1' }, meta, state)).state;
    return { ok: true as const, value: toSnapshot(state)! };
  }

  async handleStop(cmd: StopSessionCommand) {
    this.stops.push(cmd);
    this.sessions.delete(cmd.sessionId);
    const { state } = await executeCommand(this.store, sessionAggregate, cmd.sessionId, { type: 'End', reason: cmd.reason }, { correlationId: cmd.correlationId });
    return { ok: true as const, value: toSnapshot(state)! };
  }

  private beat() {
    const heartbeat: NodeHeartbeat = {
      nodeId: this.nodeId,
      region: this.region,
      endpoint: `ws://fake/${this.nodeId}`,
      maxSessions: this.maxSessions,
      running: this.sessions.size,
      warmSlots: 0,
      sessionIds: [...this.sessions],
      draining: false,
      at: new Date().toISOString(),
    };
    this.nc.publish(subjects.nodeHeartbeat(this.nodeId), JSON.stringify(heartbeat));
  }
}

async function serveNode(natsUrl: string, node: FakeNode): Promise<INestMicroservice> {
  @Controller()
  class FakeNodeController {
    @MessagePattern(subjects.startSessionOnNode(node.nodeId))
    start(@Payload() payload: unknown) {
      return node.handleStart(startSessionCommand.parse(payload));
    }

    @MessagePattern(subjects.stopSessionOnNode(node.nodeId))
    stop(@Payload() payload: unknown) {
      return node.handleStop(stopSessionCommand.parse(payload));
    }
  }
  @Module({ controllers: [FakeNodeController] })
  class FakeNodeModule {}
  const app = await NestFactory.createMicroservice(FakeNodeModule, { ...natsCommandTransport(natsUrl), logger: false, abortOnError: false });
  await app.listen();
  // Subscribed at the server before the first start is sent.
  await app.unwrap<NatsConnection>().flush();
  return app;
}
