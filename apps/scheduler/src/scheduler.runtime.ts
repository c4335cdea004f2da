import { EVENTS_WILDCARD, subjects, type SchedulerStatus } from '@hangar/contracts';
import { COMMAND_CLIENT, EVENT_STORE, followEvents, NATS_CONNECTION, type EventStore, type NatsConnection } from '@hangar/messaging';
import { startOpsServer, type Logger, type OpsServer } from '@hangar/runtime';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { Subscription } from '@nats-io/transport-node';
import { Deadlines } from './deadlines.js';
import type { SchedulerEnv } from './env.js';
import { FleetRegistry } from './fleet.registry.js';
import { SchedulerState } from './scheduler.state.js';
import { SessionsService } from './sessions.service.js';

export const SCHEDULER = Symbol('SCHEDULER');
export const ENV = Symbol('ENV');
export const LOGGER = Symbol('LOGGER');

/**
 * Wires the scheduler's state to the log: replay everything, then follow; commands wait on
 * `ready` so none is decided on a half-rebuilt state.
 */
@Injectable()
export class SchedulerRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly state = new SchedulerState();
  readonly fleet: FleetRegistry;
  readonly sessions: SessionsService;
  readonly deadlines: Deadlines;
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private isReady = false;
  private follower?: Awaited<ReturnType<typeof followEvents>>;
  private statusSub?: Subscription;
  private ops?: OpsServer;

  constructor(
    @Inject(ENV) private readonly env: SchedulerEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(COMMAND_CLIENT) client: ClientProxy,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.fleet = new FleetRegistry(env.HANGAR_NODE_LOST_MS, logger);
    this.sessions = new SessionsService(this.state, this.fleet, store, client, env, logger);
    this.deadlines = new Deadlines(env.HANGAR_CONNECT_TIMEOUT_MS, (sessionId, reason) => {
      this.logger.info({ sessionId, reason }, 'session deadline passed');
      this.sessions.stop(sessionId, 'TIMED_OUT', reason).catch((err: unknown) => this.logger.error({ err, sessionId }, 'could not end session at its deadline'));
    });
    this.state.onSessionChange((before, after) => this.deadlines.track(before, after));
  }

  async onApplicationBootstrap() {
    this.fleet.listen(this.nc);
    this.statusSub = this.nc.subscribe(subjects.schedulerStatus, {
      callback: (_err, msg) => {
        const status: SchedulerStatus = { ready: this.isReady, nodes: this.fleet.status(this.state.loadByNode()) };
        msg.respond(JSON.stringify(status));
      },
    });
    this.ops = await startOpsServer({ port: this.env.HANGAR_OPS_PORT, service: 'scheduler', ready: () => this.isReady && !this.nc.isClosed() });
    const started = Date.now();
    this.follower = await followEvents(this.nc, EVENTS_WILDCARD, (event, seq) => this.state.apply(event, seq), this.logger);
    void this.follower!.caughtUp.then(() => {
      this.isReady = true;
      this.markReady();
      this.logger.info({ replayMs: Date.now() - started, projects: this.state.projects.size }, 'scheduler state rebuilt from the event log');
    });
  }

  async onApplicationShutdown() {
    this.deadlines.clearAll();
    this.fleet.stop();
    this.statusSub?.unsubscribe();
    await this.follower?.stop();
    await this.ops?.close();
  }
}
