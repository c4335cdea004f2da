import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, TELEMETRY_STREAM } from '@hangar/contracts';
import { startTestNats, startTestNatsCluster, type TestNats, type TestNatsCluster } from '@hangar/testing';
import { connectNats, type NatsConnection } from './connection.js';
import { ensureEventStream } from './streams.js';
import { ensureTelemetryStream } from './telemetry.js';

const replicasOf = async (nc: NatsConnection) => (await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM)).config.num_replicas;

// Every service ensures the stream at its start; whichever starts last must not undo the cluster's
// replication (the issue: each start reset it to one replica).
describe('ensureEventStream on a three-server JetStream cluster', () => {
  let cluster: TestNatsCluster;
  let nc: NatsConnection;
  beforeAll(async () => {
    cluster = await startTestNatsCluster();
    nc = await connectNats(cluster.url, 'streams-test');
  });
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it('creates with the replicas asked for, raises fewer, and never lowers', async () => {
    await ensureEventStream(nc);
    expect(await replicasOf(nc)).toBe(1);
    await ensureEventStream(nc, { replicas: 3 });
    expect(await replicasOf(nc)).toBe(3);
    // A service started with the default, or with fewer, leaves the three in place.
    await ensureEventStream(nc);
    await ensureEventStream(nc, { replicas: 2 });
    expect(await replicasOf(nc)).toBe(3);
    // Other settings still follow the services' config, the replicas with them.
    const info = await ensureEventStream(nc, { maxAgeMs: 3_600_000, replicas: 1 });
    expect(info.config).toMatchObject({ num_replicas: 3, max_age: 3_600_000 * 1_000_000 });
    await ensureEventStream(nc, { replicas: 3 });
  });

  // The cluster e2e caught a node's start failing: the projector had just created the telemetry
  // stream with three replicas, and the node's info request went unanswered during the election.
  it('lets every service ensure the telemetry stream at once, each returning once it has a leader', async () => {
    const conns = await Promise.all([1, 2, 3, 4].map((i) => connectNats(cluster.url, `telemetry-start-${i}`)));
    try {
      await Promise.all(conns.map((c) => ensureTelemetryStream(c, { replicas: 3 })));
      const info = await (await jetstreamManager(nc)).streams.info(TELEMETRY_STREAM);
      expect(info.config.num_replicas).toBe(3);
      expect(info.cluster?.leader).toBeTruthy();
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it('lets a service start while one server of three is down: nothing to change, nothing asked of the cluster', async () => {
    const info = await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM);
    // Neither the stream's leader nor the meta leader: the test is about a start that only reads,
    // not about a leader election (the cluster e2e test kills a leader).
    const metaLeader = await cluster.metaLeader();
    const follower = info.cluster!.replicas!.map((r) => r.name).find((name) => name !== metaLeader)!;
    await cluster.kill(follower);
    // A fresh connection, as a service starting now makes.
    const starting = await connectNats(cluster.url, 'streams-test-start');
    try {
      const ensured = await ensureEventStream(starting, { replicas: 3 });
      expect(ensured.config.num_replicas).toBe(3);
    } finally {
      await starting.close();
      await cluster.restart(follower);
      await cluster.healthy();
    }
  });

  it('asking for more replicas than the cluster has servers fails, saying what to do', async () => {
    await expect(ensureEventStream(nc, { replicas: 5 })).rejects.toThrow(/HANGAR_STREAM_REPLICAS=5 needs a JetStream cluster of at least 5 servers/);
    expect(await replicasOf(nc)).toBe(3);
  });
});

describe('ensureEventStream on a single server', () => {
  let nats: TestNats;
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('refuses replicas it cannot have and leaves the stream as it is', async () => {
    await expect(ensureEventStream(nats.nc, { replicas: 3 })).rejects.toThrow(/needs a JetStream cluster of at least 3 servers/);
    expect(await replicasOf(nats.nc)).toBe(1);
  });
});
