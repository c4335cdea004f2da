import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { aggregateIdOf, sessionEventSchema, subjects, type SessionEndedEvent } from '@hangar/contracts';
import { sessionAggregate } from '@hangar/domain';
import { EVENT_STORE, loadAggregate, NATS_CONNECTION, type EventStore, type NatsConnection } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { Msg, Subscription } from '@nats-io/transport-node';
import type { LiveSession } from './live-session.js';
import { SessionRegistry } from './session-registry.js';

type Via = 'event' | 'subscribe' | 'reconnect';

/**
 * Ends decided without this node. When the node cannot be reached (frozen, partitioned), the
 * scheduler appends SessionEnded {ERROR, NODE_LOST} itself; once the node hears of it, its browser
 * must go, or a session the log calls ended keeps a Chromium running and a slot taken. The
 * teardown appends nothing: the log already holds the one SessionEnded there will be.
 *
 * Core NATS (the events' live publication, not a JetStream consumer): cheap, and what it misses
 * while disconnected the reconcile after each reconnect finds in the log.
 */
@Injectable()
export class SessionEndFollower implements OnModuleInit, BeforeApplicationShutdown {
  private sub: Subscription | undefined;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: SessionRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.sub = this.nc.subscribe(subjects.allSessionEvents, {
      callback: (err, msg) => (err ? this.logger.warn({ err }, 'session event subscription failed') : this.onEvent(msg)),
    });
    void this.reconcileOnReconnect();
    // Live before the node takes its first start command, so no end can slip past it.
    await this.nc.flush();
    await this.reconcile('subscribe');
  }

  beforeApplicationShutdown(): void {
    try {
      this.sub?.unsubscribe();
    } catch {
      // The connection is already closing; the subscription goes with it.
    }
  }

  private onEvent(msg: Msg): void {
    // Every session event of the fleet comes by; only those of a session this node runs are read.
    const session = this.registry.live.get(aggregateIdOf(msg.subject));
    if (!session || session.ending) return;
    let parsed;
    try {
      parsed = sessionEventSchema.safeParse(msg.json());
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) return void this.logger.warn({ subject: msg.subject }, 'unreadable session event');
    if (parsed.data.type === 'SessionEnded') void this.tearDown(session, 'event', parsed.data);
  }

  private async reconcileOnReconnect(): Promise<void> {
    try {
      for await (const status of this.nc.status()) if (status.type === 'reconnect') await this.reconcile('reconnect');
    } catch (err) {
      this.logger.error({ err }, 'stopped watching the NATS connection; ends missed while disconnected will not be found');
    }
  }

  /** Asks the log about every session this node runs; those it calls ended are torn down. */
  private async reconcile(via: Via): Promise<void> {
    await Promise.all([...this.registry.live.values()].map((session) => this.tearDown(session, via)));
  }

  /** Inside the session's queue, so it never races the node's own start, stop or end of it. */
  private tearDown(session: LiveSession, via: Via, ended?: SessionEndedEvent): Promise<void> {
    const sessionId = session.id;
    return this.registry.queue
      .run(sessionId, async () => {
        // Gone or ending already: the node's own end (its SessionEnded comes by here too) or an
        // earlier teardown. A session still starting has its Start decided against the log.
        if (this.registry.live.get(sessionId) !== session || session.ending || session.state === undefined) return;
        let end = ended?.data;
        if (!end) {
          const state = await loadAggregate(this.store, sessionAggregate, sessionId);
          if (state.kind !== 'ended') return;
          end = { sessionId, status: state.status, reason: state.reason };
        }
        await this.registry.discard(session);
        this.logger.warn({ sessionId, status: end.status, reason: end.reason, via, correlationId: ended?.metadata.correlationId }, 'session ended elsewhere; browser torn down');
      })
      .catch((err: unknown) => this.logger.error({ err, sessionId, via }, 'could not follow an end decided elsewhere'));
  }
}
