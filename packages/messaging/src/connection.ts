import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@hangar/runtime';

export type { NatsConnection } from '@nats-io/transport-node';

/**
 * Connects with unbounded reconnects: a NATS restart is an outage to ride out, not a reason for
 * a service to exit. Callers see failures per request while it is down.
 */
export async function connectNats(servers: string, name: string, logger?: Logger): Promise<NatsConnection> {
  const nc = await connect({ servers: servers.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: true });
  if (logger) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn({ nats: s.type }, 'nats connection status');
      }
    })();
  }
  return nc;
}
