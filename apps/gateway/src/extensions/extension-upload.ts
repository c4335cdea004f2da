import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { ApiError } from '../errors/api-error.js';
import { sanitizeUploadName } from '../files/upload-name.js';

/** Room in a multipart body around the file (boundaries, part headers, a few small fields). */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

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
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) throw new ApiError('VALIDATION', 'file is required: send the zip as multipart/form-data with a field named "file"');
  if (Number(req.headers['content-length'] ?? 0) > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxBytes);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hangar-extension-'));
  const file = path.join(dir, 'upload.zip');
  const discard = () => rm(dir, { recursive: true, force: true });
  try {
    const fileName = await spool(req, file, maxBytes);
    return { file, fileName, discard };
  } catch (err) {
    await discard();
    throw err;
  }
}

function spool(req: IncomingMessage, target: string, max: number): Promise<string> {
  return new Promise<string>((resolve, fail) => {
    let settled = false;
    let sawFile = false;
    const finish = (err: ApiError | undefined, name?: string) => {
      if (settled) return;
      settled = true;
      // What is left of the body is the unread-body drain's (http/unread-body.hook.ts).
      req.unpipe(parser);
      if (err) fail(err);
      else resolve(name!);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: max, fields: 20, fieldSize: 64 * 1024, parts: 25, headerPairs: 50 } });
    } catch {
      finish(new ApiError('VALIDATION', 'file is required: the multipart body has no valid boundary in content-type'));
      return;
    }
    parser.on('file', (field, file, info) => {
      if (field !== 'file' || sawFile || settled) return void file.resume();
      sawFile = true;
      const name = sanitizeUploadName(info.filename || 'extension.zip');
      if (!name.ok) {
        file.resume();
        return finish(new ApiError('VALIDATION', name.message));
      }
      let cut = false;
      file.once('limit', () => {
        cut = true;
        file.unpipe();
        file.resume();
        finish(tooLarge(max));
      });
      pipeline(file, createWriteStream(target, { flags: 'wx', mode: 0o600 })).then(
        () => (cut ? undefined : finish(undefined, name.name)),
        () => finish(cut ? tooLarge(max) : new ApiError('VALIDATION', 'the upload was cut off before its end')),
      );
    });
    parser.once('error', () => finish(new ApiError('VALIDATION', 'file is required: the multipart body is malformed')));
    parser.once('close', () => {
      if (!sawFile) finish(new ApiError('VALIDATION', 'file is required: the multipart body has no field named "file"'));
    });
    req.once('aborted', () => finish(new ApiError('VALIDATION', 'the upload was cut off before its end')));
    req.pipe(parser);
  });
}

function tooLarge(max: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `file is larger than the ${max} bytes an extension upload may be (HANGAR_EXTENSION_MAX_BYTES)`);
}
