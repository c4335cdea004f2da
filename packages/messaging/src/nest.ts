import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy, type MicroserviceOptions } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@hangar/runtime';
import { connectNats } from './connection.js';
import { EventStore } from './event-store.js';
import { ensureEventStream } from './streams.js';
import { COMMAND_CLIENT, EVENT_STORE, NATS_CONNECTION } from './tokens.js';

/** Core-NATS request/reply for commands; the queue group spreads them over replicas. */
export function natsCommandTransport(servers: string, queue?: string): MicroserviceOptions {
  return {
    transport: Transport.NATS,
    options: { servers: servers.split(','), ...(queue ? { queue } : {}), maxReconnectAttempts: -1, reconnectTimeWait: 250 },
  } as MicroserviceOptions;
}

export interface MessagingModuleOptions {
  servers: string;
  name: string;
  logger: Logger;
  /** The event stream's replicas (HANGAR_STREAM_REPLICAS): raised to this if fewer, never lowered. */
  streamReplicas?: number;
}

@Injectable()
class MessagingLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(COMMAND_CLIENT) private readonly client: ClientProxy,
  ) {}
  async onApplicationShutdown() {
    await this.client.close();
    await this.nc.drain().catch(() => undefined);
  }
}

/**
 * One NATS connection per process for JetStream (the event store), plus Nest's client proxy for
 * commands. Nest's NATS transport is core NATS: right for request/reply, never used for events.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: NATS_CONNECTION,
          useFactory: async () => {
            const nc = await connectNats(options.servers, options.name, options.logger);
            await ensureEventStream(nc, { replicas: options.streamReplicas ?? 1 });
            return nc;
          },
        },
        { provide: EVENT_STORE, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => EventStore.create(nc) },
        {
          provide: COMMAND_CLIENT,
          useFactory: () => ClientProxyFactory.create(natsCommandTransport(options.servers) as never),
        },
        MessagingLifecycle,
      ],
      exports: [NATS_CONNECTION, EVENT_STORE, COMMAND_CLIENT],
    };
  }
}
