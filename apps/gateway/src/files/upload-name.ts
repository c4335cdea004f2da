/** 255 bytes of UTF-8: one file name on ext4 and most Linux file systems. */
export const MAX_UPLOAD_NAME_BYTES = 255;

export type UploadName = { ok: true; name: string } | { ok: false; message: string };

/**
 * The name an uploaded file gets in the session's uploads folder, from the multipart part's
 * filename, which the client chose: only its last path segment (`/` and `\` both separate, as
 * browsers on Windows send `C:\…\name`), NUL and control characters dropped, cut to 255 bytes of
 * UTF-8 on a character boundary. Nothing left, or `.` / `..`, is refused: there is no name to
 * use. The node checks the result again (files/upload-file.ts there).
 */
export function sanitizeUploadName(raw: string | undefined): UploadName {
  // eslint-disable-next-line no-control-regex
  const base = (raw ?? '').split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const name = cutToBytes(base, MAX_UPLOAD_NAME_BYTES);
  if (name === '' || name === '.' || name === '..') {
    return { ok: false, message: 'file must be sent with a file name (multipart filename), not empty, "." or ".."' };
  }
  // The node's temp files are `.hangar-upload-<uuid>`: a client's file never takes that name.
  if (name.startsWith('.hangar-upload-')) return { ok: true, name: `_${name.slice(1)}` };
  return { ok: true, name };
}

function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > max) break;
    out += char;
    bytes += size;
  }
  return out;
}
