import { randomUUID } from 'node:crypto';
import { SessionReleaseRequested, subjects, type DomainEvent } from '@hangar/contracts';
import { createLogger } from '@hangar/runtime';
import { eventually, startTestNats, type TestNats } from '@hangar/testing';
import { runCheckpointedFollower } from './checkpointed-follower.js';

const logger = createLogger('test', 'silent');
const meta = { correlationId: 'test' };

/** What a projector does: apply, then move its own checkpoint (here in memory). */
function recorder() {
  const applied: number[] = [];
  let checkpoint = 0;
  return {
    applied,
    checkpoint: async () => checkpoint,
    apply(seq: number) {
      if (seq <= checkpoint) return;
      applied.push(seq);
      checkpoint = seq;
    },
  };
}

describe('runCheckpointedFollower on a real JetStream', () => {
  let nats: TestNats;
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  const appendOne = async (sessionId: string) => (await nats.store.append(subjects.sessionEvents(sessionId), [SessionReleaseRequested.create({ sessionId }, meta)]))[0]!;

  it('starts after the checkpoint, applies in stream order, and never skips an event whose apply failed', async () => {
    const id = randomUUID();
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) seqs.push(await appendOne(id));
    const r = recorder();
    // The caller already applied the first one.
    r.apply(seqs[0]!);
    let failuresLeft = 2;
    const follower = await runCheckpointedFollower(nats.nc, {
      filterSubject: subjects.sessionEvents(id),
      checkpoint: r.checkpoint,
      logger,
      retryDelayMs: 50,
      handle: async (_event: DomainEvent, seq: number) => {
        // The second event's apply fails twice (its database is away), then succeeds.
        if (seq === seqs[1] && failuresLeft-- > 0) throw new Error('database away');
        r.apply(seq);
      },
    });
    try {
      for (let i = 0; i < 3; i++) seqs.push(await appendOne(id));
      await eventually(() => r.applied.length, (n) => n >= seqs.length);
      expect(r.applied).toEqual(seqs);
      expect(failuresLeft).toBeLessThan(0);
    } finally {
      await follower.stop();
    }
  });

  it('keeps following across a nats-server restart, from the checkpoint', async () => {
    const id = randomUUID();
    const r = recorder();
    const follower = await runCheckpointedFollower(nats.nc, {
      filterSubject: subjects.sessionEvents(id),
      checkpoint: r.checkpoint,
      logger,
      retryDelayMs: 50,
      handle: async (_event, seq) => r.apply(seq),
    });
    try {
      const before = await appendOne(id);
      await eventually(() => r.applied.length, (n) => n === 1);
      await nats.restart();
      const after = await eventually(() => appendOne(id).catch(() => undefined), (seq) => seq !== undefined, 20_000);
      await eventually(() => r.applied.length, (n) => n === 2, 20_000);
      expect(r.applied).toEqual([before, after]);
    } finally {
      await follower.stop();
    }
  });
});
