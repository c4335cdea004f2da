import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BrowserUser } from '../isolation/browser-users.js';

/** 255 bytes of UTF-8: what ext4 and most Linux file systems take as one name. */
export const MAX_UPLOAD_NAME_BYTES = 255;

/**
 * Whether `name` may be used as it is for a file in the uploads folder: one path segment (no `/`),
 * no NUL or control character, not `.` or `..`, at most 255 bytes. The gateway sanitises what a
 * client sent into such a name; the node checks again and refuses anything else, so a name never
 * reaches outside the folder whoever sent it.
 */
export function isSafeUploadName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name === '.' || name === '..' || /[/\u0000-\u001f\u007f]/.test(name)) return false;
  if (name.startsWith('.hangar-upload-')) return false; // Our own temp files.
  return Buffer.byteLength(name, 'utf8') <= MAX_UPLOAD_NAME_BYTES;
}

export class UploadTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes (HANGAR_UPLOAD_MAX_BYTES)`);
    this.name = 'UploadTooLarge';
  }
}

/**
 * Writes `body` to `<uploads>/<name>` and answers that absolute path. The file is written under a
 * temp name made with O_EXCL|O_NOFOLLOW (the folder is the browser user's: a symlink it planted is
 * never followed), owned by the browser's user with mode 0600 (only that browser reads it), and
 * renamed into place once whole; rename replaces a planted symlink itself, never its target. Past
 * `maxBytes`, or when the body breaks off, the temp file is removed and nothing is left.
 */
export async function writeUpload(folder: string, name: string, body: Readable, maxBytes: number, user: BrowserUser | undefined): Promise<string> {
  if (!isSafeUploadName(name)) throw new Error('unsafe upload name');
  const temp = path.join(folder, `.hangar-upload-${randomUUID()}`);
  const target = path.join(folder, name);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let closed = false;
  try {
    if (user) await handle.chown(user.uid, user.gid);
    let bytes = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new UploadTooLarge(maxBytes);
      await handle.write(chunk);
    }
    await handle.close();
    closed = true;
    await rename(temp, target);
    return target;
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
