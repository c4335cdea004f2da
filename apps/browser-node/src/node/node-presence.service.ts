import { Inject, Injectable } from '@nestjs/common';
import { NodeJoined, NodeLeft, subjects, type NodeHeartbeat } from '@hangar/contracts';
import { EVENT_STORE, NATS_CONNECTION, type EventStore, type NatsConnection } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import { WarmPool } from '../chromium/warm-pool.service.js';
import type { NodeConfig } from '../env.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';

/**
 * How the fleet knows this node: NodeJoined / NodeLeft in the event log (history), and a core
 * NATS heartbeat (liveness and load, not history) that the scheduler times out on.
 */
@Injectable()
export class NodePresence {
  private timer: NodeJS.Timeout | undefined;
  private joined = false;

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: SessionRegistry,
    private readonly proxy: CdpProxy,
    private readonly pool: WarmPool,
  ) {}

  /** NodeJoined is in the log and NodeLeft is not: the node takes part in the fleet (its readiness). */
  get announced(): boolean {
    return this.joined;
  }

  async join(): Promise<void> {
    const { nodeId, region, maxSessions } = this.config;
    const meta = { correlationId: `node-${nodeId}` };
    await this.store.append(subjects.nodeEvents(nodeId), [NodeJoined.create({ nodeId, region, endpoint: this.proxy.endpoint, maxSessions }, meta)]);
    this.joined = true;
    // The first beat goes out now: a scheduler should not wait a period to see a fresh node.
    this.beat();
    this.timer = setInterval(() => this.beat(), this.config.heartbeatMs);
    this.logger.info({ region, endpoint: this.proxy.endpoint, maxSessions }, 'node joined');
  }

  /**
   * A beat out of turn saying `draining` (a drain began, or the node is stopping), so the scheduler
   * stops placing here now rather than a period later.
   */
  announceDraining(): void {
    if (this.joined) this.beat();
  }

  async leave(): Promise<void> {
    clearInterval(this.timer);
    if (!this.joined) return;
    this.joined = false;
    const { nodeId } = this.config;
    await this.store.append(subjects.nodeEvents(nodeId), [NodeLeft.create({ nodeId, reason: 'SHUTDOWN' }, { correlationId: `node-${nodeId}` })]);
    this.logger.info('node left');
  }

  private beat(): void {
    const sessionIds = this.registry.sessionIds;
    const heartbeat: NodeHeartbeat = {
      nodeId: this.config.nodeId,
      region: this.config.region,
      endpoint: this.proxy.endpoint,
      maxSessions: this.config.maxSessions,
      running: sessionIds.length,
      warmSlots: this.pool.size,
      sessionIds,
      draining: this.registry.draining,
      at: new Date().toISOString(),
    };
    try {
      this.nc.publish(subjects.nodeHeartbeat(this.config.nodeId), JSON.stringify(heartbeat));
    } catch (err) {
      // Publishing fails only on a closed connection; the next beat (or shutdown) follows.
      this.logger.warn({ err }, 'heartbeat not sent');
    }
  }
}
