import { randomUUID } from 'node:crypto';
import { SessionReleaseRequested, SessionRequested, SessionScheduled, subjects } from '@hangar/contracts';
import { sessionAggregate, toSnapshot } from '@hangar/domain';
import { startTestNats, type TestNats } from '@hangar/testing';
import { ConcurrencyConflict } from './event-store.js';
import { executeCommand, loadAggregate } from './aggregate.js';

const meta = { correlationId: 'test' };
const requestData = (sessionId: string) => ({
  sessionId,
  projectId: 'p1',
  keepAlive: false,
  timeoutSeconds: 60,
  region: 'us-west-2' as const,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  browserSettings: {},
});

describe('EventStore on a real JetStream', () => {
  let nats: TestNats;
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('stores a retried append once (Nats-Msg-Id) and reads a subject back in order', async () => {
    const id = randomUUID();
    const subject = subjects.sessionEvents(id);
    const requested = SessionRequested.create(requestData(id), meta);
    const [first] = await nats.store.append(subject, [requested]);
    const [again] = await nats.store.append(subject, [requested]);
    expect(again).toBe(first);
    await nats.store.append(subject, [SessionScheduled.create({ sessionId: id, nodeId: 'n1' }, meta)], first);
    const events = await nats.store.read(subject);
    expect(events.map((e) => e.event.type)).toEqual(['SessionRequested', 'SessionScheduled']);
    expect(await nats.store.lastVersion(subject)).toBe(events[1]!.seq);
  });

  it('appends several events in one go, in order, and falls back to one by one when another writer came in between', async () => {
    const id = randomUUID();
    const subject = subjects.sessionEvents(id);
    const requested = SessionRequested.create(requestData(id), meta);
    const scheduled = SessionScheduled.create({ sessionId: id, nodeId: 'n1' }, meta);
    const together = await nats.store.append(subject, [requested, scheduled], 0);
    expect(together[1]).toBeGreaterThan(together[0]!);

    // The first event is already stored (a retried append) and another subject was written since:
    // the second cannot follow it as the stream's last message, and is appended on the subject's
    // sequence instead.
    const release = SessionReleaseRequested.create({ sessionId: id }, meta);
    const [sameAgain] = await nats.store.append(subject, [scheduled], together[0]);
    expect(sameAgain).toBe(together[1]);
    await nats.store.append(subjects.sessionEvents(randomUUID()), [SessionRequested.create(requestData(randomUUID()), meta)]);
    const fallback = await nats.store.append(subject, [scheduled, release], together[0]);
    expect(fallback[0]).toBe(together[1]);
    expect((await nats.store.read(subject)).map((e) => e.event.type)).toEqual(['SessionRequested', 'SessionScheduled', 'SessionReleaseRequested']);

    // Nothing after a refused first event lands.
    const late = SessionReleaseRequested.create({ sessionId: id }, meta);
    await expect(nats.store.append(subject, [SessionScheduled.create({ sessionId: id, nodeId: 'n2' }, meta), late], together[0])).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    expect(await nats.store.read(subject)).toHaveLength(3);
  });

  it('refuses an append whose expected version is stale', async () => {
    const id = randomUUID();
    const subject = subjects.sessionEvents(id);
    const [v1] = await nats.store.append(subject, [SessionRequested.create(requestData(id), meta)], 0);
    await nats.store.append(subject, [SessionScheduled.create({ sessionId: id, nodeId: 'a' }, meta)], v1);
    await expect(nats.store.append(subject, [SessionScheduled.create({ sessionId: id, nodeId: 'b' }, meta)], v1)).rejects.toBeInstanceOf(ConcurrencyConflict);
  });

  it('lets exactly one of two racing writers end a session, and the other decides nothing', async () => {
    const id = randomUUID();
    await executeCommand(nats.store, sessionAggregate, id, { type: 'Request', data: requestData(id) }, meta);
    const stale = await loadAggregate(nats.store, sessionAggregate, id);
    const results = await Promise.all([
      executeCommand(nats.store, sessionAggregate, id, { type: 'End', reason: 'TIMEOUT' }, meta, stale),
      executeCommand(nats.store, sessionAggregate, id, { type: 'End', reason: 'RELEASED' }, meta, stale),
    ]);
    expect(results.map((r) => r.events.length).sort()).toEqual([0, 1]);
    const events = await nats.store.read(subjects.sessionEvents(id));
    expect(events.filter((e) => e.event.type === 'SessionEnded')).toHaveLength(1);
    expect(['TIMED_OUT', 'COMPLETED']).toContain(toSnapshot(await loadAggregate(nats.store, sessionAggregate, id))?.status);
  });
});
