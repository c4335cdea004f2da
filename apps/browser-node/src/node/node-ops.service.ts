import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { NATS_CONNECTION, type NatsConnection } from '@hangar/messaging';
import { LOGGER, startOpsServer, type Logger, type OpsServer } from '@hangar/runtime';
import { WarmPool } from '../chromium/warm-pool.service.js';
import type { NodeConfig } from '../env.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';
import { NodeMetrics } from './node-metrics.js';
import { NodePresence } from './node-presence.service.js';

/**
 * `/healthz`, `/readyz` and `/metrics` on HANGAR_OPS_HOST:HANGAR_OPS_PORT, like the scheduler's
 * and the projector's (none without a port). Ready means the node can do its job: connected to
 * NATS (a node that cannot record ends must not look healthy to a prober), announced to the fleet,
 * and not shutting down. A draining node is still ready: it serves its running sessions.
 */
@Injectable()
export class NodeOps implements OnModuleInit, OnApplicationShutdown {
  private server: OpsServer | undefined;
  private natsConnected = true;

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly registry: SessionRegistry,
    private readonly pool: WarmPool,
    private readonly presence: NodePresence,
    private readonly metrics: NodeMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.metrics.observe({ sessionsRunning: () => this.registry.sessionIds.length, warmSlots: () => this.pool.size });
    void this.followConnection();
    const { opsPort: port, opsHost: host } = this.config;
    this.server = await startOpsServer({ port, host, service: 'browser-node', registry: this.metrics.registry, ready: () => this.ready() });
    if (port !== undefined) this.logger.info({ host, port: this.server.port }, 'ops server listening');
  }

  ready(): boolean {
    return this.natsConnected && !this.nc.isClosed() && this.presence.announced && this.registry.phase !== 'stopping';
  }

  /** `isClosed()` stays false while the client reconnects; its status events say when it is cut off. */
  private async followConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.natsConnected = false;
      if (status.type === 'reconnect') this.natsConnected = true;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
