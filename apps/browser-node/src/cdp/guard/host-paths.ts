import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';

export type Confined = { ok: true; paths: string[] } | { ok: false; why: string };

/**
 * The files a client names for an upload (DOM.setFileInputFiles and the like), resolved inside
 * `uploadsDir` or refused. Relative paths are taken relative to the uploads folder (what a
 * client that uploaded `report.pdf` means), and every path is rewritten to its absolute real path,
 * so Chromium reads exactly the file that was checked.
 *
 * The uploads folder belongs to the browser's OS user, so a symlink in it could point anywhere:
 * the part of each path that exists is resolved with realpath and must still be inside the
 * folder's own real path. The part that does not exist yet cannot be a link. The uploads folder
 * itself must not be a link either (its parent may be the browser user's too).
 *
 * realpathSync on purpose: these calls are rare (one per upload), a few microseconds on a local
 * disk, and a synchronous answer keeps the guard's stream strictly in order.
 */
export function confineToUploads(files: unknown, uploadsDir: string): Confined {
  if (!Array.isArray(files)) return { ok: false, why: 'files must be a list of paths' };
  const root = path.join(realOrResolved(path.dirname(path.resolve(uploadsDir))), path.basename(uploadsDir));
  if (isLink(root)) return { ok: false, why: "the session's uploads folder is a link" };
  const paths: string[] = [];
  for (const file of files) {
    if (typeof file !== 'string' || file.length === 0 || file.includes('\0')) return { ok: false, why: 'every file must be a non-empty path' };
    const lexical = path.resolve(root, file);
    if (!inside(root, lexical)) return { ok: false, why: `${file} is outside the session's uploads folder` };
    const real = realOrResolved(lexical);
    if (!inside(root, real)) return { ok: false, why: `${file} leads outside the session's uploads folder` };
    paths.push(real);
  }
  return { ok: true, paths };
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** realpath of the longest existing prefix, joined with the rest as written. */
function realOrResolved(p: string): string {
  const rest: string[] = [];
  let head = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync(head), ...rest.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.resolve(p);
      rest.push(path.basename(head));
      head = parent;
    }
  }
}
