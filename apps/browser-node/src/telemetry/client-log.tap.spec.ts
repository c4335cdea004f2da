import type { SessionLogEntry, TelemetryMessage } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';
import { ClientLogTap } from './client-log.tap.js';
import { REDACTED } from './redact.js';
import { PageIds } from './session-observer.js';
import { TelemetryBuffer } from './telemetry-buffer.js';

const HEAD = Buffer.from('HTTP/1.1 101 Switching Protocols\r\n\r\n');
const serverFrame = (text: string) => {
  const payload = Buffer.from(text);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, len]) : Buffer.from([0x81, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
};
const logger = { warn: () => undefined, debug: () => undefined } as unknown as Logger;
const turn = () => new Promise((r) => setImmediate(r));

function tapWithLog() {
  const sent: TelemetryMessage[] = [];
  const logs = new TelemetryBuffer<SessionLogEntry>({ sessionId: 's1', kind: 'logs', capBytes: 1 << 20, publish: async (m) => sent.push(m), onError: () => undefined });
  const pageIds = new PageIds();
  pageIds.of('FIRST'); // the first page: id 0
  const tap = new ClientLogTap('s1', pageIds, logs, logger);
  const entries = async () => {
    await logs.end();
    return sent.flatMap((m) => (m.type === 'logs' ? m.entries : []));
  };
  return { tap, entries, logs };
}

describe('ClientLogTap', () => {
  it('does nothing on the splice turn: entries appear only after it', async () => {
    const { tap, logs } = tapWithLog();
    tap.server(HEAD);
    tap.client(Buffer.from('{"method":"Browser.getVersion","id":1}'));
    tap.server(serverFrame('{"id":1,"result":{"product":"x"}}'));
    expect(logs.acceptedBytes).toBe(0);
    await turn();
    expect(logs.acceptedBytes).toBeGreaterThan(0);
  });

  it('logs a command with its response', async () => {
    const { tap, entries } = tapWithLog();
    tap.server(HEAD);
    tap.server(serverFrame(JSON.stringify({ method: 'Target.attachedToTarget', params: { sessionId: 'S2', targetInfo: { targetId: 'SECOND', type: 'page' } } })));
    tap.client(Buffer.from(JSON.stringify({ method: 'Network.setExtraHTTPHeaders', params: { headers: { Authorization: 'Bearer x' } }, id: 7, sessionId: 'S2' })));
    tap.server(serverFrame('{"id":7,"result":{},"sessionId":"S2"}'));
    tap.client(Buffer.from('{"method":"Browser.getVersion","id":8}'));
    tap.close();
    await turn();
    const got = await entries();
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({
      method: 'Network.setExtraHTTPHeaders',
      pageId: 1,
      sessionId: 's1',
      request: { params: { headers: { Authorization: REDACTED } } },
      response: { result: {}, rawBody: '{"id":7,"result":{},"sessionId":"S2"}' },
    });
    expect(got[0]!.request!.rawBody).not.toContain('Bearer');
    // Unanswered when the connection closed: logged without a response.
    expect(got[1]).toMatchObject({ method: 'Browser.getVersion', pageId: 0 });
    expect(got[1]!.response).toBeUndefined();
  });

  it('logs a large answer by its id and length only, and ignores what is not CDP', async () => {
    const { tap, entries } = tapWithLog();
    tap.server(HEAD);
    tap.client(Buffer.from('not json at all'));
    tap.client(Buffer.from('{"method":"Page.captureScreenshot","id":1}'));
    tap.server(serverFrame(JSON.stringify({ id: 1, result: { data: 'A'.repeat(60_000) } }).padEnd(0)));
    const big = JSON.stringify({ id: 2, result: { data: 'B'.repeat(70_000) } });
    tap.client(Buffer.from('{"method":"Page.captureScreenshot","id":2}'));
    const frame = Buffer.concat([Buffer.from([0x81, 127, 0, 0, 0, 0]), Buffer.alloc(4), Buffer.from(big)]);
    frame.writeUInt32BE(big.length, 6);
    tap.server(frame);
    await turn();
    const got = await entries();
    expect(got.map((e) => e.response?.rawBody.length)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(got[0]!.response!.result).toHaveProperty('data');
    expect(got[1]!.response).toEqual({ result: {}, rawBody: `[${big.length} bytes, not logged]`, timestamp: expect.any(Number) });
  });
});
