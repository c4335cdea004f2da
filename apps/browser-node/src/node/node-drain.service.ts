import { Inject, Injectable } from '@nestjs/common';
import { NATS_CONNECTION, type NatsConnection } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { WarmPool } from '../chromium/warm-pool.service.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NodePresence } from './node-presence.service.js';

export type DrainSource = 'SIGUSR2' | 'command';

/**
 * A drain takes the node out of the fleet without cutting anyone off: the heartbeat says
 * `draining` (the scheduler places nothing here), starts are refused NO_CAPACITY, and the running
 * sessions finish their own way (release, timeout, disconnect, crash, an end decided elsewhere).
 * Once none is left, `drained` resolves and main.ts shuts the node down (NodeLeft, exit 0).
 * A SIGTERM meanwhile still means "now": the shutdown ends whatever still runs.
 */
@Injectable()
export class NodeDrain {
  private markDrained!: () => void;
  readonly drained = new Promise<void>((resolve) => (this.markDrained = resolve));

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly registry: SessionRegistry,
    private readonly presence: NodePresence,
    private readonly pool: WarmPool,
  ) {}

  /** Idempotent; a node that is already stopping is past draining and stays as it is. */
  begin(source: DrainSource, correlationId?: string): void {
    if (this.registry.phase !== 'serving') return;
    this.registry.phase = 'draining';
    this.logger.info({ source, correlationId, sessionIds: this.registry.sessionIds }, 'draining: no new sessions; leaving once the running ones end');
    // A draining node hands nothing out: its warm browsers go now (the shutdown awaits the same
    // close), out of the pool before the draining beat, which then says warmSlots 0.
    void this.pool.close().catch((err: unknown) => this.logger.error({ err }, 'could not empty the warm pool'));
    this.presence.announceDraining();
    void this.untilEmpty();
  }

  private async untilEmpty(): Promise<void> {
    // The draining beat is out before an idle node starts leaving.
    await this.nc.flush().catch(() => undefined);
    // A session leaves the registry before its SessionEnded is appended, inside its queue: wait
    // for that too, so the log has every end before NodeLeft.
    do {
      await this.registry.emptied();
      await this.registry.queue.idle();
    } while (this.registry.sessionIds.length > 0);
    // The command that ended the last session (a stop) has its reply on the way out through Nest's
    // connection (process.nextTick, then a microtask); a round trip on ours completes only after
    // those ran. Without it the shutdown cut that reply off, and the release waited for a timeout.
    await this.nc.flush().catch(() => undefined);
    this.logger.info('drained: every session has ended');
    this.markDrained();
  }
}
