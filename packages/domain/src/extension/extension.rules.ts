/**
 * What an uploaded extension must be: a zip of an unpacked extension, `manifest.json` at its root
 * or inside one single top folder. Every rule here is about hostile input (zip-slip, symlinks,
 * bombs); the gateway applies them to an upload before anything is stored, and the node applies
 * them again while it unpacks (packages/artifacts zip/extension-zip.ts walks the zip with them).
 */
export interface ExtensionZipLimits {
  /** Entries (files and folders) in the zip. */
  readonly maxEntries: number;
  /** Bytes of all files once inflated: declared sizes and the bytes actually inflated. */
  readonly maxUnpackedBytes: number;
}

export const DEFAULT_EXTENSION_LIMITS: ExtensionZipLimits = { maxEntries: 5000, maxUnpackedBytes: 128 * 1024 * 1024 };

/** manifest.json is read whole; a real one is a few KiB. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * Why one entry may not be unpacked, or undefined. `name` is the raw name as stored; `unixMode`
 * the upper half of the external attributes (0 when the zip was made where there are none).
 */
export function extensionEntryProblem(name: string, unixMode: number): string | undefined {
  const shown = JSON.stringify(name.slice(0, 120));
  if (name.length === 0) return 'an entry has an empty name';
  if (name.includes('\0')) return `entry ${shown} has a NUL in its name`;
  if (name.includes('\\')) return `entry ${shown} has a backslash in its path (paths must use "/")`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `entry ${shown} has an absolute path`;
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) return `entry ${shown} escapes the extension's folder ("..")`;
  if (segments.some((s) => s === '' || s === '.')) return `entry ${shown} has an empty or "." path segment`;
  const type = unixMode & S_IFMT;
  if (type === S_IFLNK) return `entry ${shown} is a symlink; symlinks are not allowed`;
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return `entry ${shown} is not a regular file or folder`;
  return undefined;
}

/** Whether the entry is a folder (a name ending in "/", or a folder's Unix mode). */
export function isFolderEntry(name: string, unixMode: number): boolean {
  return name.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR;
}

/**
 * Where manifest.json is: '' when at the root, 'top/' when every entry is inside that one top
 * folder and the manifest is there; else the problem.
 */
export function extensionRoot(names: readonly string[]): { root: string } | { problem: string } {
  const files = names.filter((n) => !n.endsWith('/'));
  if (files.includes('manifest.json')) return { root: '' };
  const tops = new Set(names.map((n) => n.split('/')[0]!));
  if (tops.size === 1) {
    const [top] = tops;
    if (files.includes(`${top}/manifest.json`)) return { root: `${top}/` };
  }
  return { problem: 'manifest.json is missing: it must be at the zip\'s root or inside its single top folder' };
}

export interface ExtensionManifest {
  readonly name: string;
  readonly version: string;
  readonly manifest_version: 2 | 3;
}

/** The manifest's text, checked for what Chromium needs to load it at all. */
export function parseExtensionManifest(text: string): { manifest: ExtensionManifest } | { problem: string } {
  let parsed: unknown;
  try {
    // Chromium accepts a UTF-8 BOM.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { problem: 'manifest.json is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'manifest.json must be a JSON object' };
  const m = parsed as Record<string, unknown>;
  if (m.manifest_version !== 2 && m.manifest_version !== 3) return { problem: 'manifest.json: manifest_version must be 2 or 3' };
  if (typeof m.name !== 'string' || m.name.trim() === '') return { problem: 'manifest.json: name must be a non-empty string' };
  if (typeof m.version !== 'string' || !/^\d+(\.\d+){0,3}$/.test(m.version)) return { problem: 'manifest.json: version must be 1 to 4 dot-separated integers' };
  return { manifest: { name: m.name, version: m.version, manifest_version: m.manifest_version } };
}

/** The stored zip of one extension: under its project, like every artifact (session.artifacts.ts). */
export function extensionArtifactKey(projectId: string, extensionId: string): string {
  for (const [name, id] of [['projectId', projectId], ['extensionId', extensionId]] as const) {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`${name} ${JSON.stringify(id)} cannot be part of an artifact key`);
  }
  return `projects/${projectId}/extensions/${extensionId}.zip`;
}

/** An extension id as Hangar makes them (a UUID); anything else names no extension. */
export function isExtensionId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}
