import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { ApiError } from '../errors/api-error.js';
import { sanitizeUploadName } from './upload-name.js';

/** Room in a multipart body around the file (boundaries, part headers, a few small fields). */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Where the file's bytes go: `done` settles with the answer; `abort` stops the writing (the cap was passed). */
export interface FileSink<T> {
  readonly done: Promise<T>;
  abort(): void;
}

export interface FileFieldOptions<T> {
  /** Bytes the file may have; past them `tooLarge()` is the answer. */
  readonly maxBytes: number;
  readonly tooLarge: () => ApiError;
  /** What the client is asked to send in the message for a body that is not multipart ("the file", "the zip"). */
  readonly what: string;
  /** The name when the part has none. */
  readonly defaultName?: string;
  /** Called once, for the first part named `file`, with its bytes and its sanitised name. */
  readonly sink: (file: Readable, name: string) => FileSink<T>;
}

/**
 * The multipart field `file` of a request, streamed through busboy into `sink`, never held whole.
 * The cap is checked on the declared length and on the bytes as they pass; other fields and parts
 * are read past and bounded. Every way the body can be wrong is a 4xx naming `file`.
 */
export function receiveFileField<T>(req: IncomingMessage, o: FileFieldOptions<T>): Promise<T> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) return Promise.reject(new ApiError('VALIDATION', `file is required: send ${o.what} as multipart/form-data with a field named "file"`));
  if (Number(req.headers['content-length'] ?? 0) > o.maxBytes + MULTIPART_OVERHEAD_BYTES) return Promise.reject(o.tooLarge());
  return new Promise<T>((resolve, fail) => {
    let settled = false;
    let sawFile = false;
    let parser: busboy.Busboy | undefined;
    const finish = (err: ApiError | undefined, value?: T) => {
      if (settled) return;
      settled = true;
      // What is left of the body is the unread-body drain's (http/unread-body.hook.ts).
      if (parser) req.unpipe(parser);
      if (err) fail(err);
      else resolve(value as T);
    };
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: o.maxBytes, fields: 20, fieldSize: 64 * 1024, parts: 25, headerPairs: 50 } });
    } catch {
      finish(new ApiError('VALIDATION', 'file is required: the multipart body has no valid boundary in content-type'));
      return;
    }
    parser.on('file', (field, file, info) => {
      if (field !== 'file' || sawFile || settled) return void file.resume();
      sawFile = true;
      const name = sanitizeUploadName(info.filename || o.defaultName || '');
      if (!name.ok) {
        file.resume();
        return finish(new ApiError('VALIDATION', name.message));
      }
      const sink = o.sink(file, name.name);
      file.once('limit', () => {
        sink.abort();
        file.unpipe();
        file.resume();
        finish(o.tooLarge());
      });
      sink.done.then(
        (value) => finish(undefined, value),
        (err: unknown) => finish(err instanceof ApiError ? err : new ApiError('VALIDATION', 'the upload was cut off before its end')),
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
