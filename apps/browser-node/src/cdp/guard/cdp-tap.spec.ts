import { cdpGuard } from './cdp-guard.stream.js';
import type { CdpTap } from './cdp-tap.js';
import { guardedPipeOptions } from './guarded-pipe.js';
import { maskedFrame } from './ws-frames.js';

const folders = { uploadsDir: '/tmp/hangar-tap-uploads', downloadsDir: '/tmp/hangar-tap-downloads' };

/** What the guard lets through to Chromium for these client bytes, and what the tap saw. */
async function run(bytes: Buffer, withTap: boolean): Promise<{ out: Buffer; tapped: string[] }> {
  const tapped: string[] = [];
  const guard = cdpGuard({ folders, toClient: () => undefined, ...(withTap ? { onForwarded: (p: Buffer) => tapped.push(p.toString()) } : {}) });
  const out: Buffer[] = [];
  guard.on('data', (c: Buffer) => out.push(c));
  guard.end(bytes);
  await new Promise((r) => guard.once('end', r));
  return { out: Buffer.concat(out), tapped };
}

describe('the CDP guard log tap', () => {
  const allowed = '{"id":1,"method":"Runtime.evaluate","params":{"expression":"1"}}';
  const refused = '{"id":2,"method":"Extensions.loadUnpacked","params":{"path":"/tmp/ext"}}';
  const bytes = Buffer.concat([maskedFrame(0x1, Buffer.from(allowed)), maskedFrame(0x1, Buffer.from(refused)), maskedFrame(0x2, Buffer.from([1, 2]))]);

  it('sees what was forwarded, not what was refused nor binary, and leaves the bytes to Chromium unchanged', async () => {
    const [tapped, plain] = [await run(bytes, true), await run(bytes, false)];
    expect(tapped.tapped).toEqual([allowed]);
    expect(tapped.out.equals(plain.out)).toBe(true);
    expect(plain.out.includes('Extensions.loadUnpacked')).toBe(false);
  });

  it('installs nothing on the pipe without a tap (a session that does not log)', () => {
    expect(guardedPipeOptions(folders)).not.toHaveProperty('onUpstreamData');
    const tap: CdpTap = { client: () => undefined, server: () => undefined, close: () => undefined };
    expect(guardedPipeOptions(folders, undefined, tap).onUpstreamData).toBeInstanceOf(Function);
  });
});
