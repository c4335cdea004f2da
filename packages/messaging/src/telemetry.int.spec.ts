import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, TELEMETRY_STREAM } from '@hangar/contracts';
import { startTestNats, type TestNats } from '@hangar/testing';
import { connectNats, type NatsConnection } from './connection.js';
import { ensureEventStream } from './streams.js';
import { ensureTelemetryStream, TelemetryLog } from './telemetry.js';

const entry = (method: string) => ({ method, pageId: 0, sessionId: 's', timestamp: 1 });

describe('the telemetry stream on a real JetStream', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let log: TelemetryLog;
  beforeAll(async () => {
    nats = await startTestNats();
    nc = await connectNats(nats.url, 'telemetry-test');
    await ensureEventStream(nc);
    await ensureTelemetryStream(nc);
    log = await TelemetryLog.create(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('is a stream of its own, with a size limit and a message cap, never the domain log', async () => {
    await ensureTelemetryStream(nc, { maxBytes: 64 * 1024 * 1024 });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(TELEMETRY_STREAM);
    expect(info.config).toMatchObject({ subjects: ['hangar.tel.>'], max_bytes: 64 * 1024 * 1024, max_msg_size: 512 * 1024 });
    const id = randomUUID();
    await log.publish(id, 'logs', { type: 'logs', entries: [entry('Page.navigate')] });
    expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(0);
  });

  it('reads one session and kind back in order, and nothing once purged', async () => {
    const id = randomUUID();
    const other = randomUUID();
    await log.publish(other, 'logs', { type: 'logs', entries: [entry('Other.call')] });
    for (let i = 0; i < 300; i++) await log.publish(id, 'logs', { type: 'logs', entries: [entry(`M.${i}`)] });
    await log.publish(id, 'recording', { type: 'end' });
    await log.publish(id, 'logs', { type: 'end' });
    const read = await log.read(id, 'logs');
    expect(read).toHaveLength(301);
    expect(read.slice(0, 2).map((r) => r.message)).toEqual([
      { type: 'logs', entries: [entry('M.0')] },
      { type: 'logs', entries: [entry('M.1')] },
    ]);
    expect(read.at(-1)?.message).toEqual({ type: 'end' });
    expect(await log.read(id, 'recording')).toHaveLength(1);
    await log.purge(id);
    expect(await log.read(id, 'logs')).toEqual([]);
    expect(await log.read(other, 'logs')).toHaveLength(1);
  });

  it('stores a retried publish once', async () => {
    const id = randomUUID();
    await log.publish(id, 'logs', { type: 'end' }, `${id}-end`);
    await log.publish(id, 'logs', { type: 'end' }, `${id}-end`);
    expect(await log.read(id, 'logs')).toHaveLength(1);
  });
});
