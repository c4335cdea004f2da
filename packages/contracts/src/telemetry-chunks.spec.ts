import { ChunkJoiner, splitTelemetryMessage } from './telemetry-chunks.js';
import type { TelemetryMessage } from './telemetry.js';

const big = (text: string): TelemetryMessage => ({ type: 'recording', events: [{ type: 2, timestamp: 1, sessionId: 's', data: { text } }] });
const bytes = (m: TelemetryMessage) => Buffer.byteLength(JSON.stringify(m));

describe('telemetry chunks', () => {
  it('leaves a message that fits alone', () => {
    const m = big('small');
    expect(splitTelemetryMessage(m, 'c1', 1024)).toEqual([m]);
  });

  it('cuts a big message into parts below the size, escapes and multi-byte characters counted, pairs never split', () => {
    for (const text of ['a'.repeat(10_000), '"\\\n\u0000'.repeat(3_000), 'é€😀'.repeat(3_000)]) {
      const m = big(text);
      const parts = splitTelemetryMessage(m, 'c1', 1024)!;
      expect(parts.length).toBeGreaterThan(2);
      for (const p of parts) {
        expect(bytes(p)).toBeLessThanOrEqual(1024);
        if (p.type !== 'chunk') throw new Error('not a part');
        expect(/[\ud800-\udbff]$/.test(p.text)).toBe(false);
      }
      const joiner = new ChunkJoiner();
      const outcomes = parts.map((p) => joiner.add(p as Extract<TelemetryMessage, { type: 'chunk' }>));
      expect(outcomes.slice(0, -1).every((o) => o.kind === 'pending')).toBe(true);
      expect(outcomes.at(-1)).toEqual({ kind: 'whole', message: m });
    }
  });

  it('refuses a message that would need more parts than allowed', () => {
    expect(splitTelemetryMessage(big('x'.repeat(9_000 * 300)), 'c1', 512)).toBeUndefined();
  });

  it('a set missing a part, its first parts, or joining to something else is lost once; a duplicate part is harmless', () => {
    const chunk = (id: string, index: number, total: number, text: string) => ({ type: 'chunk' as const, id, index, total, text });
    const j = new ChunkJoiner();
    expect(j.add(chunk('a', 0, 3, '{"type":'))).toEqual({ kind: 'pending' });
    expect(j.add(chunk('a', 0, 3, '{"type":'))).toEqual({ kind: 'pending' });
    expect(j.add(chunk('a', 2, 3, '}'))).toMatchObject({ kind: 'lost', reason: expect.stringContaining('out of order') });
    // The rest of a lost set is skipped silently; a set whose start is missing is lost once.
    expect(j.add(chunk('a', 1, 3, 'x'))).toEqual({ kind: 'pending' });
    expect(j.add(chunk('b', 1, 2, 'x'))).toMatchObject({ kind: 'lost', reason: expect.stringContaining('first parts are missing') });
    expect(j.add(chunk('c', 0, 2, '{"type":"end"'))).toEqual({ kind: 'pending' });
    expect(j.add(chunk('c', 1, 2, '}'))).toMatchObject({ kind: 'lost', reason: expect.stringContaining('did not join into a batch') });
    expect(j.add(chunk('d', 0, 2, '{"type":"logs",'))).toEqual({ kind: 'pending' });
    expect(j.interrupted()).toMatchObject({ kind: 'lost', droppedBytes: 15 });
    expect(j.finish()).toBeUndefined();
  });
});
