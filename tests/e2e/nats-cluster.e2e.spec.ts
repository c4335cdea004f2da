import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, subjects } from '@hangar/contracts';
import { startTestNatsCluster, type TestNatsCluster } from '@hangar/testing';
import { eventually, startTestStack, type TestStack } from './harness.js';
import { checkpoint, readModel, startRebuild } from './read-model-rebuild.js';
import { churn } from './session-churn.js';

/** The event stream's replicas besides its leader, all current: the cluster holds three copies again. */
const fullyReplicated = (jsm: JetStreamManager) =>
  eventually(
    () => jsm.streams.info(EVENTS_STREAM),
    (info) => info.cluster?.leader !== undefined && info.cluster.replicas?.length === 2 && info.cluster.replicas.every((r) => r.current && !r.offline),
    60_000,
    250,
  );

// The production shape of infra/nats/cluster.conf, on loopback: three JetStream servers, the
// stream and the scheduler's lease with three replicas. One server dies (SIGKILL, the stream's
// leader: the loss that forces an election) while clients create and release sessions, and comes
// back later. Nothing a client was told happened may be missing afterwards, and the read model
// must be what the log alone rebuilds.
describe('the stack on a three-server NATS cluster (R3)', () => {
  let cluster: TestNatsCluster;
  let t: TestStack;

  beforeAll(async () => {
    cluster = await startTestNatsCluster();
    t = await startTestStack({
      natsUrl: cluster.url,
      streamReplicas: 3,
      concurrency: 4,
      // A create in flight when its scheduler loses the lease is answered 503 at this deadline, not after 30 s.
      env: { gateway: { HANGAR_COMMAND_TIMEOUT_MS: '5000' } },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await cluster?.stop();
  });

  it('loses no event when a server is killed during session churn and restarted; the read model equals a rebuild', async () => {
    const jsm = await jetstreamManager(t.stack.nc);
    const before = await jsm.streams.info(EVENTS_STREAM);
    expect(before.config.num_replicas).toBe(3);
    expect((await jsm.streams.info(`KV_${subjects.schedulerLeaseBucket}`)).config.num_replicas).toBe(3);

    const load = churn(t.stack, 2);
    let victim: string;
    try {
      await load.releasedMore(3, 60_000);
      victim = (await jsm.streams.info(EVENTS_STREAM)).cluster!.leader!;
      await cluster.kill(victim);
      // Sessions go on being created and released with one server of three gone.
      await load.releasedMore(4, 90_000);
      await cluster.restart(victim);
      await cluster.healthy(60_000);
      await load.releasedMore(3, 60_000);
    } finally {
      await load.stop();
    }

    // Every session a client was given reached its end, in the log and in Postgres.
    expect(load.created.filter((id) => !load.released.has(id))).toEqual([]);
    for (const id of load.created) {
      // SessionArtifactStored (the node's downloads, the archiver's logs and recording) may follow the end.
      const events = (await t.stack.store.read(subjects.sessionEvents(id))).filter(({ event }) => event.type !== 'SessionArtifactStored');
      expect({ id, last: events.at(-1)?.event.type }).toEqual({ id, last: 'SessionEnded' });
    }
    // Clients only ever saw answers to retry (and no request went unanswered for good).
    for (const what of load.refusals.keys()) expect(what).toMatch(/^(create|release) (503|429)$/);

    // The archiver records each ended session's logs and recording (SessionArtifactStored) after
    // its end, up to HANGAR_ARCHIVE_WAIT_MS later: the log is whole once they are in and it has
    // stopped growing, else the rebuild below passes a last_seq taken too early.
    for (const id of load.created)
      await eventually(
        async () => (await t.stack.store.read(subjects.sessionEvents(id))).flatMap(({ event }) => (event.type === 'SessionArtifactStored' ? [event.data.kind] : [])),
        (kinds) => kinds.includes('logs') && kinds.includes('recording'),
        60_000,
        250,
      );
    let seen = -1;
    await eventually(
      async () => (await jsm.streams.info(EVENTS_STREAM)).state.last_seq,
      (seq) => seq === seen || ((seen = seq), false),
      60_000,
      3_000,
    );

    // The restarted server caught up; the log has no hole.
    const after = await fullyReplicated(jsm);
    expect(after.state.messages).toBe(after.state.last_seq - after.state.first_seq + 1);
    expect(after.state.first_seq).toBe(1);
    const lastSeq = after.state.last_seq;
    await eventually(() => checkpoint(t.stack.db), (position) => position === lastSeq, 30_000, 100);
    const stored = await t.stack.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(after.state.messages);
    const rows = await t.stack.db.selectFrom('sessions').select(['id', 'status']).where('id', 'in', load.created).execute();
    expect(rows.filter((r) => r.status !== 'COMPLETED')).toEqual([]);
    expect(rows).toHaveLength(load.created.length);

    // A projector that knows nothing but the log builds the same read model.
    const rebuild = await startRebuild(t.stack, { HANGAR_STREAM_REPLICAS: '3' }, (line) => t.logs.push(line));
    try {
      await eventually(() => checkpoint(rebuild.db), (position) => position === lastSeq, 60_000, 200);
      expect((await jsm.streams.info(EVENTS_STREAM)).state.last_seq).toBe(lastSeq);
      expect(await readModel(rebuild.db)).toEqual(await readModel(t.stack.db));
    } finally {
      await rebuild.stop();
    }
  });
});
