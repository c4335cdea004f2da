import { execFileSync } from 'node:child_process';

/** One entry of a zip a test makes: its raw name, its bytes, and optionally its Unix mode (a symlink: 0o120777). */
export interface ZipEntrySpec {
  readonly name: string;
  readonly data?: string | Buffer;
  readonly mode?: number;
  /** Deflate it (the default is stored): a bomb of zeros is then a few KiB. */
  readonly deflate?: boolean;
}

const SCRIPT = `
import sys, json, zipfile, io, base64
spec = json.load(sys.stdin)
out = io.BytesIO()
with zipfile.ZipFile(out, 'w') as z:
    for e in spec:
        info = zipfile.ZipInfo(e['name'])
        info.compress_type = zipfile.ZIP_DEFLATED if e['deflate'] else zipfile.ZIP_STORED
        if e['mode'] is not None:
            info.external_attr = (e['mode'] & 0xFFFF) << 16
            info.create_system = 3
        z.writestr(info, base64.b64decode(e['data']))
sys.stdout.buffer.write(out.getvalue())
`;

/**
 * A zip with exactly these entries, made by python3's zipfile (on every machine the tests run
 * on): names are written as given, so a test can make the hostile ones (`../x`, `/etc/x`,
 * backslashes, symlinks) that a well-behaved zip tool refuses to write.
 */
export function makeZip(entries: readonly ZipEntrySpec[]): Buffer {
  const spec = entries.map((e) => ({ name: e.name, data: Buffer.from(e.data ?? '').toString('base64'), mode: e.mode ?? null, deflate: e.deflate ?? false }));
  return execFileSync('python3', ['-c', SCRIPT], { input: JSON.stringify(spec), maxBuffer: 256 * 1024 * 1024 });
}

/** A tiny valid MV3 manifest. */
export const MV3_MANIFEST = JSON.stringify({ manifest_version: 3, name: 'hangar test', version: '1.0' });
