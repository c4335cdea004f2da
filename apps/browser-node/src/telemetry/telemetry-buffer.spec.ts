import { recordingAnswer, type TelemetryMessage } from '@hangar/contracts';
import { TelemetryBuffer } from './telemetry-buffer.js';

function buffer(capBytes: number, maxMessageBytes = 4096, fail = 0) {
  const sent: Array<{ message: TelemetryMessage; msgId: string }> = [];
  const errors: unknown[] = [];
  let failures = fail;
  const b = new TelemetryBuffer<{ n: number; pad: string }>({
    sessionId: 's1',
    kind: 'recording',
    capBytes,
    maxMessageBytes,
    flushMs: 10,
    publish: async (message, msgId) => {
      if (failures-- > 0) throw new Error('nats down');
      sent.push({ message, msgId });
    },
    onError: (err) => errors.push(err),
  });
  return { b, sent, errors };
}

const event = (n: number, size = 100) => ({ n, pad: 'x'.repeat(size) });

describe('TelemetryBuffer', () => {
  it('cuts batches below the message size, keeps the order and ends with `end`', async () => {
    const { b, sent } = buffer(1_000_000, 2048);
    for (let i = 0; i < 40; i++) b.add(event(i));
    await b.end();
    const batches = sent.filter((s) => s.message.type === 'recording');
    expect(batches.length).toBeGreaterThan(1);
    for (const s of batches) expect(Buffer.byteLength(JSON.stringify(s.message))).toBeLessThanOrEqual(2048);
    const ns = batches.flatMap((s) => (s.message.type === 'recording' ? s.message.events.map((e) => (e as unknown as { n: number }).n) : []));
    expect(ns).toEqual([...Array(40).keys()]);
    expect(sent.at(-1)!.message).toEqual({ type: 'end' });
    expect(new Set(sent.map((s) => s.msgId)).size).toBe(sent.length);
  });

  it('flushes on its timer', async () => {
    const { b, sent } = buffer(1_000_000);
    b.add(event(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.map((s) => s.message.type)).toEqual(['recording']);
  });

  it('publishes `truncated` once at the cap and drops everything after it', async () => {
    const { b, sent } = buffer(1_000);
    for (let i = 0; i < 50; i++) b.add(event(i));
    await b.end();
    const types = sent.map((s) => s.message.type);
    expect(types.filter((t) => t === 'truncated')).toHaveLength(1);
    expect(types.at(-1)).toBe('end');
    const kept = sent.flatMap((s) => (s.message.type === 'recording' ? s.message.events : []));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(10);
  });

  it('publishes one entry larger than a message as ordered parts below the size, which join back into it', async () => {
    const { b, sent } = buffer(1_000_000, 2048);
    // Shaped like rrweb events: what the parts join into is validated like any batch.
    const shaped = (n: number, pad: string) => ({ type: 3, timestamp: n, sessionId: 's1', data: { pad } }) as unknown as { n: number; pad: string };
    const hostile = 'é"\\\n\u0001😀'.repeat(700);
    b.add(shaped(0, 'a'));
    b.add(shaped(1, hostile));
    b.add(shaped(2, 'b'));
    await b.end();
    const types = sent.map((s) => s.message.type);
    expect(types[0]).toBe('recording');
    expect(types.slice(-2)).toEqual(['recording', 'end']);
    const parts = sent.filter((s) => s.message.type === 'chunk');
    expect(parts.length).toBeGreaterThan(3);
    for (const s of sent) expect(Buffer.byteLength(JSON.stringify(s.message))).toBeLessThanOrEqual(2048);
    const answer = recordingAnswer('s1', sent.map((s) => s.message), { fallbackTimestamp: 0, endedAt: 1 });
    expect(answer.truncated).toBe(false);
    expect(answer.entries.map((e) => e.timestamp)).toEqual([0, 1, 2]);
    expect(answer.entries[1]!.data.pad).toBe(hostile);
  });

  it('counts a chunked entry against the cap', async () => {
    const { b, sent } = buffer(8_000, 2048);
    b.add(event(0, 6_000));
    b.add(event(1, 6_000));
    await b.end();
    expect(sent.filter((s) => s.message.type === 'truncated')).toHaveLength(1);
    expect(sent.filter((s) => s.message.type === 'chunk').length).toBeGreaterThan(2);
  });

  it('retries a failed publish with the same msgId', async () => {
    const { b, sent, errors } = buffer(1_000_000, 4096, 1);
    b.add(event(1));
    await b.end();
    expect(errors).toEqual([]);
    expect(sent.map((s) => s.msgId)).toEqual(['s1:recording:1', 's1:recording:2']);
  });
});
