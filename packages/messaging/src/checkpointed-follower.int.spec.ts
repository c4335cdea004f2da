import { randomUUID } from 'node:crypto';
import { SessionReleaseRequested, subjects } from '@hangar/contracts';
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
      handle: async (batch) => {
        // A batch with the second event fails twice (its database is away), then succeeds.
        if (batch.some((e) => e.seq === seqs[1]) && failuresLeft-- > 0) throw new Error('database away');
        for (const e of batch) r.apply(e.seq);
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
      handle: async (batch) => batch.forEach((e) => r.apply(e.seq)),
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

  it('hands over, as one batch, the events that arrived while the previous batch was applied', async () => {
    const id = randomUUID();
    const r = recorder();
    const batches: number[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const follower = await runCheckpointedFollower(nats.nc, {
      filterSubject: subjects.sessionEvents(id),
      checkpoint: r.checkpoint,
      logger,
      maxBatch: 4,
      handle: async (batch) => {
        batches.push(batch.map((e) => e.seq));
        // The first apply is slow: everything appended meanwhile queues behind it.
        if (batches.length === 1) await held;
        for (const e of batch) {
          expect(e.event.type).toBe('SessionReleaseRequested');
          expect(e.subject).toBe(subjects.sessionEvents(id));
          r.apply(e.seq);
        }
      },
    });
    try {
      const first = await appendOne(id);
      await eventually(() => batches.length, (n) => n === 1);
      const later: number[] = [];
      for (let i = 0; i < 6; i++) later.push(await appendOne(id));
      // Delivered to the follower (not applied yet) before the first apply finishes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      await eventually(() => r.applied.length, (n) => n === 7);
      expect(r.applied).toEqual([first, ...later]);
      // Six waiting, at most four per batch: the next batch is the first four of them; the rest
      // follow in order, however the deliveries split them.
      expect(batches[0]).toEqual([first]);
      expect(batches[1]).toEqual(later.slice(0, 4));
      expect(batches.slice(2).flat()).toEqual(later.slice(4));
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(4);
    } finally {
      await follower.stop();
    }
  });
});
