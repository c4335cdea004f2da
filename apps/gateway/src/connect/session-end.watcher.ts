import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { sessionEventSchema, subjects } from '@hangar/contracts';
import { NATS_CONNECTION, type NatsConnection } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { PipedConnections } from './piped-connections.js';

/**
 * Cuts the clients of a session the moment it ends. The node closes them too when it tears the
 * browser down — unless it cannot: a node that is frozen, partitioned or dead leaves every client
 * hanging on a socket nobody will ever answer, while the session is already over in the log.
 *
 * Core NATS, not a durable consumer: every replica needs every end (no queue group), an end seen
 * late is worth nothing, and JetStream appends are delivered to plain subscribers as they are
 * stored. An end missed during a NATS outage is caught by the node's close or the keepalive.
 */
@Injectable()
export class SessionEndWatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly connections: PipedConnections,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = this.nc.subscribe(subjects.allSessionEvents, {
      callback: (err, msg) => {
        if (err) this.logger.warn({ err }, 'session event subscription error');
        else this.onEvent(msg);
      },
    });
    // The server knows the subscription before the gateway takes its first connect.
    await this.nc.flush();
  }

  private onEvent(msg: Msg): void {
    let parsed;
    try {
      parsed = sessionEventSchema.safeParse(msg.json());
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.logger.warn({ subject: msg.subject }, 'unreadable session event ignored');
      return;
    }
    const event = parsed.data;
    if (event.type !== 'SessionEnded') return;
    const closed = this.connections.endSession(event.data.sessionId);
    if (closed > 0) {
      this.logger.info(
        { sessionId: event.data.sessionId, correlationId: event.metadata.correlationId, status: event.data.status, reason: event.data.reason, closed },
        'session ended: its clients were cut',
      );
    }
  }

  beforeApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}
