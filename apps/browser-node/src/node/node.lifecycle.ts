import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import { WarmPool } from '../chromium/warm-pool.service.js';
import type { NodeConfig } from '../env.js';
import { BrowserIsolation } from '../isolation/browser-isolation.service.js';
import { SessionCommands } from '../sessions/session-commands.service.js';
import { NODE_CONFIG } from '../tokens.js';
import { NodeMetrics } from './node-metrics.js';
import { NodePresence } from './node-presence.service.js';
import { sweepOrphans } from './orphan.sweeper.js';

/**
 * The node's start and stop order. Start: sweep what a previous run left, open the proxy (its
 * port is part of every endpoint), and only once the command subscriptions are live (main.ts)
 * announce the node, then fill the warm pool. Stop (Nest has closed the command transport by
 * then): stop placing here, end every session and tear the warm browsers down, say goodbye; the
 * NATS connection is drained after this hook. A drain (NodeDrain) reaches the same stop once no
 * session is left, so it ends nothing.
 */
@Injectable()
export class NodeLifecycle implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly sessions: SessionCommands,
    private readonly proxy: CdpProxy,
    private readonly presence: NodePresence,
    private readonly pool: WarmPool,
    private readonly isolation: BrowserIsolation,
    private readonly metrics: NodeMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    // First: a host where no browser could run (folders its users cannot reach) fails the start.
    await this.isolation.init();
    await sweepOrphans({
      profilesRoot: this.config.profilesRoot,
      store: this.store,
      logger: this.logger,
      onOrphansKilled: (count) => this.metrics.orphansKilled.inc(count),
    });
    await this.proxy.listen();
  }

  /** The pool fills only after the sweep (which kills every Chromium under the profiles root) and the join. */
  async announce(): Promise<void> {
    await this.presence.join();
    this.pool.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const shutdown = Promise.all([this.sessions.shutdown(), this.pool.close()]);
    this.presence.announceDraining();
    await shutdown;
    await this.presence.leave().catch((err: unknown) => this.logger.error({ err }, 'could not append NodeLeft'));
    await this.proxy.close();
  }
}
