/**
 * Which parts of a Chromium user-data-dir a context keeps (shared/research/data-plane-notes.md §9,
 * measured on Chromium 156): an allowlist, so what a later Chromium adds is left out until
 * someone decides it belongs. Kept: cookies (Default/Network, and the older Default/Cookies),
 * localStorage, sessionStorage, IndexedDB, service workers (with their CacheStorage), storage
 * buckets, the origin-private file system, saved logins and autofill, extension storage,
 * preferences. Left out: every cache (the HTTP cache only unless the operator keeps it), GPU and
 * shader caches, history, Safe Browsing, component and model downloads, crash reports, and
 * Chromium's `Singleton*` lock files: a lock copied from another host makes Chromium refuse the
 * profile and exit (measured).
 */
const KEPT_FILES = new Set([
  'Local State',
  'Default/Preferences',
  'Default/Secure Preferences',
  'Default/Cookies',
  'Default/Cookies-journal',
  'Default/Login Data',
  'Default/Login Data-journal',
  'Default/Web Data',
  'Default/Web Data-journal',
]);

const KEPT_FOLDERS = [
  'Default/Network/',
  'Default/Local Storage/',
  'Default/Session Storage/',
  'Default/IndexedDB/',
  'Default/Service Worker/',
  'Default/WebStorage/',
  'Default/File System/',
  'Default/Local Extension Settings/',
  'Default/Sync Extension Settings/',
];

/**
 * Stores Chromium opens only when a page asks for them, never while it starts (measured on
 * Chromium 156 with strace: a start on a full profile, 6 s on about:blank, touched none of them;
 * it does read cookies, Local and Session Storage and the service-worker database). A save puts
 * them last, and a restore writes them while the browser starts, before any client reaches it
 * (profile-restore.ts on the node).
 */
const LATE_FOLDERS = ['Default/IndexedDB/', 'Default/Service Worker/CacheStorage/', 'Default/File System/'];

/** Whether `rel` (a file, or a folder as `name/`) belongs to a store restored while the browser starts. */
export function profileEntryLate(rel: string): boolean {
  const name = rel.endsWith('/') ? rel : `${rel}/`;
  return LATE_FOLDERS.some((folder) => name.startsWith(folder));
}

/** Whether a walk for the late stores goes into the folder `rel`: one of them, inside one, or on the way to one. */
export function profileFolderLeadsLate(rel: string): boolean {
  const dir = `${rel}/`;
  return LATE_FOLDERS.some((folder) => folder.startsWith(dir) || dir.startsWith(folder));
}

/** The HTTP cache and V8's code cache: large, rebuilt by the first visit, kept only on request. */
const CACHE_FOLDERS = ['Default/Cache/', 'Default/Code Cache/'];

export interface ProfileRules {
  /** Keep the HTTP cache too (HANGAR_CONTEXT_KEEP_HTTP_CACHE); off by default to keep profiles small. */
  readonly keepHttpCache: boolean;
  /** Files in one profile, and their bytes: a save past either is not made, a restore past either stops. */
  readonly maxFiles: number;
  readonly maxBytes: number;
}

export const DEFAULT_PROFILE_RULES: ProfileRules = { keepHttpCache: false, maxFiles: 50_000, maxBytes: 512 * 1024 * 1024 };

const keptFolders = (rules: Pick<ProfileRules, 'keepHttpCache'>) => (rules.keepHttpCache ? [...KEPT_FOLDERS, ...CACHE_FOLDERS] : KEPT_FOLDERS);

/** Whether the file at `rel` (relative to the user-data-dir, "/"-separated) is part of a saved profile. */
export function profileFileKept(rel: string, rules: Pick<ProfileRules, 'keepHttpCache'>): boolean {
  if (KEPT_FILES.has(rel)) return true;
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (base.startsWith('Singleton')) return false;
  return keptFolders(rules).some((folder) => rel.startsWith(folder));
}

/** Whether a walk of the profile goes into the folder at `rel`: it holds, or is inside, something kept. */
export function profileFolderWalked(rel: string, rules: Pick<ProfileRules, 'keepHttpCache'>): boolean {
  const dir = `${rel}/`;
  if ([...KEPT_FILES].some((file) => file.startsWith(dir))) return true;
  return keptFolders(rules).some((folder) => folder.startsWith(dir) || dir.startsWith(folder));
}

/**
 * Why one entry of a stored profile may not be restored, or undefined. The object is sealed by
 * the node's key, so a tenant cannot forge one; this is the second fence all the same: only a
 * relative path inside the profile, only a regular file or a folder, only what a save keeps.
 */
export function profileEntryProblem(name: string, type: 'file' | 'directory' | 'other', rules: Pick<ProfileRules, 'keepHttpCache'>): string | undefined {
  const shown = JSON.stringify(name.slice(0, 120));
  if (type === 'other') return `entry ${shown} is not a regular file or folder`;
  if (name.length === 0 || name.includes('\0') || name.includes('\\')) return `entry ${shown} has a bad name`;
  if (name.startsWith('/')) return `entry ${shown} has an absolute path`;
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return `entry ${shown} has an empty, "." or ".." path segment`;
  const rel = segments.join('/');
  const kept = type === 'file' ? profileFileKept(rel, rules) : profileFolderWalked(rel, rules) || profileFileKept(`${rel}/x`, rules);
  return kept ? undefined : `entry ${shown} is not part of a saved profile`;
}
