import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { findNatsServer } from '@hangar/runtime';
import { tempDir } from '@hangar/testing';
import { startNatsServer } from './nats-server.js';
import { startEmbeddedPostgres } from './postgres.js';

/** A port held by a listener of this process for the duration of `body`. */
async function withTakenPort<T>(body: (port: number) => Promise<T>): Promise<T> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  try {
    return await body((holder.address() as net.AddressInfo).port);
  } finally {
    holder.close();
  }
}

describe('the stack’s NATS and Postgres servers', () => {
  it('nats-server picks its own port and is reached on the one it reports', async () => {
    const nats = await startNatsServer({ binary: findNatsServer()!, dataDir: path.join(tempDir(), 'nats') });
    try {
      const nc = await connect({ servers: nats.url });
      expect(nc.getServer()).toBe(`127.0.0.1:${nats.port}`);
      await nc.close();
    } finally {
      await nats.stop();
    }
  });

  it('nats-server on a port someone else holds fails the start instead of answering for them', async () => {
    await withTakenPort(async (port) => {
      await expect(startNatsServer({ binary: findNatsServer()!, dataDir: path.join(tempDir(), 'nats'), port })).rejects.toThrow(/exited during start|address already in use/i);
    });
  });

  it('Postgres on a port someone else holds fails the start, saying so', async () => {
    const dataDir = path.join(tempDir(), 'pg');
    const first = await startEmbeddedPostgres({ dataDir });
    await first.stop();
    await withTakenPort(async (port) => {
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(/address already in use/i);
    });
    // Without a fixed port it comes up (on a fresh one) and answers.
    const again = await startEmbeddedPostgres({ dataDir });
    try {
      const client = new pg.Client({ connectionString: again.url.replace(/\/hangar$/, '/postgres') });
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await again.stop();
    }
  });
});
