import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../errors/api-error.js';
import { receiveFileField } from '../files/file-field.js';

export interface SpooledUpload {
  readonly file: string;
  readonly fileName: string;
  /** Removes the spooled file and its folder; idempotent. */
  readonly discard: () => Promise<void>;
}

/**
 * The multipart field `file` streamed through busboy into a private temp file (0600 in a fresh
 * 0700 folder), never held in memory: a zip must be read from its end (the central directory),
 * so the check needs the whole file, and the store gets it only once the check passed. The cap
 * is checked on the declared length and on the bytes as they pass; a file cut off by it is
 * removed with its folder.
 */
export async function spoolExtensionUpload(req: IncomingMessage, maxBytes: number): Promise<SpooledUpload> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hangar-extension-'));
  const file = path.join(dir, 'upload.zip');
  const discard = () => rm(dir, { recursive: true, force: true });
  try {
    const fileName = await receiveFileField(req, {
      maxBytes,
      tooLarge: () => tooLarge(maxBytes),
      what: 'the zip',
      defaultName: 'extension.zip',
      sink: (part, name) => {
        const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
        return { done: pipeline(part, out).then(() => name), abort: () => out.destroy() };
      },
    });
    return { file, fileName, discard };
  } catch (err) {
    await discard();
    throw err;
  }
}

function tooLarge(max: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `file is larger than the ${max} bytes an extension upload may be (HANGAR_EXTENSION_MAX_BYTES)`);
}
