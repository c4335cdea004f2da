import { logAnswer, NODE_STOPPED_REPORTING, recordingAnswer } from './telemetry-answer.js';
import { splitTelemetryMessage } from './telemetry-chunks.js';
import { TRUNCATION_METHOD, type TelemetryMessage } from './telemetry.js';

const log = (method: string, timestamp?: number) => ({ method, pageId: 1, sessionId: 's', ...(timestamp !== undefined ? { timestamp } : {}) });
const ev = (timestamp: number) => ({ type: 3, timestamp, sessionId: 's', data: {} });

describe('telemetry answers', () => {
  it('logs keep publish order; a truncation is a marker in place, at the latest time before it', () => {
    const messages: TelemetryMessage[] = [
      { type: 'logs', entries: [log('a', 20), log('b', 10)] },
      { type: 'truncated', reason: 'cap', droppedBytes: 5 },
      { type: 'logs', entries: [log('c')] },
      { type: 'end' },
    ];
    const { entries, truncated } = logAnswer('s', messages, { fallbackTimestamp: 1, endedAt: 99 });
    expect(truncated).toBe(true);
    expect(entries.map((e) => e.method)).toEqual(['a', 'b', TRUNCATION_METHOD, 'c']);
    expect(entries[2]).toEqual({ method: TRUNCATION_METHOD, pageId: 0, sessionId: 's', timestamp: 20, request: { params: { reason: 'cap', droppedBytes: 5 }, rawBody: '' } });
  });

  it('a missing end after the session ended adds a last marker; before the end (a running session) it does not', () => {
    const messages: TelemetryMessage[] = [{ type: 'logs', entries: [log('a', 5)] }];
    expect(logAnswer('s', messages, { fallbackTimestamp: 1 })).toEqual({ entries: [log('a', 5)], truncated: false });
    const ended = logAnswer('s', messages, { fallbackTimestamp: 1, endedAt: 50 });
    expect(ended.truncated).toBe(true);
    expect(ended.entries.at(-1)).toMatchObject({ method: TRUNCATION_METHOD, timestamp: 50, request: { params: { reason: NODE_STOPPED_REPORTING } } });
  });

  it('recording events are sorted by time, markers staying after what came before them; the other kind is ignored', () => {
    const messages: TelemetryMessage[] = [
      { type: 'recording', events: [ev(30), ev(10)] },
      { type: 'truncated', reason: 'page batch too big' },
      { type: 'recording', events: [ev(40), ev(20)] },
      { type: 'logs', entries: [log('foreign', 1)] },
    ];
    const { entries } = recordingAnswer('s', messages, { fallbackTimestamp: 0, endedAt: 35 });
    expect(entries.map((e) => [e.type, e.timestamp])).toEqual([[3, 10], [3, 20], [3, 30], [5, 30], [3, 40], [5, 40]]);
    expect(entries[3]!.data).toEqual({ tag: 'hangar.truncated', payload: { reason: 'page batch too big' } });
    expect(entries[5]!.data).toEqual({ tag: 'hangar.truncated', payload: { reason: NODE_STOPPED_REPORTING } });
  });

  it('joins a chunked batch back in place; a set missing parts is a marker, not an error; a running session waits for its last parts', () => {
    const whole: TelemetryMessage = { type: 'recording', events: [{ type: 2, timestamp: 20, sessionId: 's', data: { html: 'x'.repeat(5_000) } }] };
    const parts = splitTelemetryMessage(whole, 'c1', 1024)!;
    expect(parts.length).toBeGreaterThan(2);
    const full = recordingAnswer('s', [{ type: 'recording', events: [ev(10)] }, ...parts, { type: 'recording', events: [ev(30)] }, { type: 'end' }], { fallbackTimestamp: 0, endedAt: 40 });
    expect(full.truncated).toBe(false);
    expect(full.entries.map((e) => e.timestamp)).toEqual([10, 20, 30]);
    expect(full.entries[1]).toEqual((whole as Extract<TelemetryMessage, { type: 'recording' }>).events[0]);

    // A part lost in the middle (its publish failed): a marker where the set was, the rest kept.
    const gap = recordingAnswer('s', [{ type: 'recording', events: [ev(10)] }, ...parts.filter((_, i) => i !== 1), { type: 'recording', events: [ev(30)] }, { type: 'end' }], { fallbackTimestamp: 0, endedAt: 40 });
    expect(gap.truncated).toBe(true);
    expect(gap.entries.map((e) => [e.type, e.timestamp])).toEqual([[3, 10], [5, 10], [3, 30]]);
    expect(gap.entries[1]!.data).toMatchObject({ tag: 'hangar.truncated', payload: { reason: expect.stringContaining('cut short') } });

    // The node killed mid-set: while the session runs the set is still arriving; after its end it is lost.
    const head = [{ type: 'recording', events: [ev(10)] } as TelemetryMessage, ...parts.slice(0, 2)];
    expect(recordingAnswer('s', head, { fallbackTimestamp: 0 })).toEqual({ entries: [ev(10)], truncated: false });
    const killed = recordingAnswer('s', head, { fallbackTimestamp: 0, endedAt: 50 });
    expect(killed.entries.map((e) => [e.type, e.timestamp])).toEqual([[3, 10], [5, 10], [5, 50]]);
    expect(killed.entries[1]!.data).toMatchObject({ payload: { reason: expect.stringContaining('last parts are missing') } });
  });
});
