import { EVENTS_WILDCARD, NodeLeft, subjects, type DomainEvent, type SchedulerStatus } from '@hangar/contracts';
import { COMMAND_CLIENT, EVENT_STORE, followEvents, NATS_CONNECTION, type EventStore, type NatsConnection } from '@hangar/messaging';
import { LOGGER, startOpsServer, type Logger, type OpsServer } from '@hangar/runtime';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { Subscription } from '@nats-io/transport-node';
import { Deadlines } from './deadlines.js';
import type { SchedulerEnv } from './env.js';
import { FleetRegistry } from './fleet.registry.js';
import { LeaderLease } from './leader.lease.js';
import { SchedulerState } from './scheduler.state.js';
import { SessionsService } from './sessions.service.js';
import { SCHEDULER_ENV } from './tokens.js';

/**
 * Wires the scheduler's state to the log. Every scheduler replays and follows the log (a hot
 * standby); only the one holding the leader lease answers commands, arms deadlines and declares
 * nodes lost. Commands wait on `ready` so none is decided on a half-rebuilt state.
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
  private leading = false;
  private bootstrapped = false;
  private ledSince = 0;
  private readonly lease: LeaderLease;
  private readonly endingLost = new Set<string>();
  private sweepTimer?: NodeJS.Timeout;
  private follower?: Awaited<ReturnType<typeof followEvents>>;
  private statusSub?: Subscription;
  private ops?: OpsServer;

  constructor(
    @Inject(SCHEDULER_ENV) private readonly env: SchedulerEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMMAND_CLIENT) client: ClientProxy,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.fleet = new FleetRegistry(env.HANGAR_NODE_LOST_MS, logger);
    this.lease = new LeaderLease(nc, env.HANGAR_LEADER_LEASE_MS, logger, () => {
      // Stop deciding at once; the supervisor (stack, compose, Kubernetes) restarts us as a standby.
      process.exit(1);
    }, env.HANGAR_STREAM_REPLICAS);
    this.sessions = new SessionsService(this.state, this.fleet, store, client, env, logger, () => this.lease.assertHeld());
    this.deadlines = new Deadlines(env.HANGAR_CONNECT_TIMEOUT_MS, (sessionId, reason) => {
      this.logger.info({ sessionId, reason }, 'session deadline passed');
      this.sessions.stop(sessionId, reason).catch((err: unknown) => this.logger.error({ err, sessionId }, 'could not end session at its deadline'));
    });
    this.state.onSessionChange((_before, after) => {
      if (this.leading) this.deadlines.track(after);
    });
  }

  async onApplicationBootstrap() {
    // Nest runs bootstrap hooks again when `listen()` follows `init()`; follow the log once.
    if (this.bootstrapped) return;
    this.bootstrapped = true;
    this.fleet.listen(this.nc);
    this.ops = await startOpsServer({ port: this.env.HANGAR_OPS_PORT, host: this.env.HANGAR_OPS_HOST, service: 'scheduler', ready: () => this.isReady && !this.nc.isClosed() });
    const started = Date.now();
    this.follower = await followEvents(this.nc, EVENTS_WILDCARD, (event, seq) => this.apply(event, seq), this.logger);
    void this.follower.caughtUp.then(() => {
      this.isReady = true;
      this.markReady();
      this.logger.info({ replayMs: Date.now() - started, projects: this.state.projects.size }, 'scheduler state rebuilt from the event log');
    });
  }

  /** Waits for the lease, then takes over: deadlines, node liveness, status queries. */
  async lead(): Promise<void> {
    await this.ready;
    await this.lease.acquire();
    this.leading = true;
    this.ledSince = Date.now();
    for (const session of this.state.sessions()) this.deadlines.track(session);
    this.sweepTimer = setInterval(() => this.sweepLostNodes(), this.env.HANGAR_NODE_SWEEP_MS);
    this.statusSub = this.nc.subscribe(subjects.schedulerStatus, {
      callback: (_err, msg) => {
        const status: SchedulerStatus = { ready: this.isReady, nodes: this.fleet.status(this.state.loadByNode()) };
        msg.respond(JSON.stringify(status));
      },
    });
  }

  private apply(event: DomainEvent, seq: number) {
    if (event.type === 'NodeLeft' && event.data.reason === 'SHUTDOWN') this.fleet.forget(event.data.nodeId);
    this.state.apply(event, seq);
  }

  /**
   * A node silent for HANGAR_NODE_LOST_MS is lost: its browsers are out of reach, so its
   * sessions end ERROR / NODE_LOST (the scheduler records it; the node, if it ever comes back,
   * tears those browsers down when it sees the ends). Right after taking over, nodes get one
   * lost-interval to be heard from before anything is declared lost.
   */
  private sweepLostNodes() {
    if (Date.now() - this.ledSince < this.env.HANGAR_NODE_LOST_MS) return;
    for (const nodeId of this.fleet.newlyLost()) {
      this.logger.warn({ nodeId }, 'node lost: no heartbeat');
      this.store
        .append(subjects.nodeEvents(nodeId), [NodeLeft.create({ nodeId, reason: 'LOST' }, { correlationId: `node-lost-${nodeId}` })])
        .catch((err: unknown) => this.logger.error({ err, nodeId }, 'could not record the lost node'));
    }
    for (const session of this.state.sessions()) {
      if (!session.nodeId || this.fleet.isLive(session.nodeId) || this.endingLost.has(session.id)) continue;
      this.endingLost.add(session.id);
      this.sessions
        .endInLog(session.id, 'NODE_LOST', `node-lost-${session.nodeId}`, `node ${session.nodeId} stopped heartbeating`)
        .catch((err: unknown) => this.logger.error({ err, sessionId: session.id }, 'could not end a session of a lost node'))
        .finally(() => this.endingLost.delete(session.id));
    }
  }

  async onApplicationShutdown() {
    clearInterval(this.sweepTimer);
    this.deadlines.clearAll();
    this.fleet.stop();
    this.statusSub?.unsubscribe();
    await this.lease.release();
    await this.follower?.stop();
    await this.ops?.close();
  }
}
