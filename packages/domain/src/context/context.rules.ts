import { createHash } from 'node:crypto';

/**
 * What a context's name may be, and where its pieces live. A name is optional; given, it is
 * trimmed, and unique in its project among contexts that are not deleted, compared without case
 * (as the SDK documents it). Uniqueness is kept on the log: each (project, folded name) has a
 * subject of its own (contextNameToken), claimed with an optimistic append.
 */
export const MAX_CONTEXT_NAME_LENGTH = 200;

export function normalizeContextName(raw: unknown): { name: string | undefined } | { problem: string } {
  if (raw === undefined || raw === null) return { name: undefined };
  if (typeof raw !== 'string') return { problem: 'name must be a string' };
  const name = raw.trim();
  if (name.length === 0) return { problem: 'name must not be empty or only whitespace' };
  if (name.length > MAX_CONTEXT_NAME_LENGTH) return { problem: `name must be at most ${MAX_CONTEXT_NAME_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { problem: 'name must not contain control characters' };
  return { name };
}

/** The name as compared: case folded the same way on every host (full Unicode lower case, NFC). */
export function foldContextName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The subject token of a (project, name) claim: a hash, since names hold characters no subject may. */
export function contextNameToken(projectId: string, name: string): string {
  return createHash('sha256').update(`${projectId}\0${foldContextName(name)}`).digest('hex').slice(0, 40);
}

/** A context id as Hangar makes them (a UUID); anything else names no context. */
export function isContextId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}

const safe = (name: string, id: string) => {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`${name} ${JSON.stringify(id)} cannot be part of an artifact key`);
  return id;
};

/** Every stored profile of a context, under its project: deleting a context removes this prefix. */
export function contextArtifactPrefix(projectId: string, contextId: string): string {
  return `projects/${safe('projectId', projectId)}/contexts/${safe('contextId', contextId)}/`;
}

/**
 * One save's object: a key per saving session, never reused, so a save under way never touches
 * the profile others are reading, and a torn write is an object nothing points at.
 */
export function contextProfileKey(projectId: string, contextId: string, sessionId: string): string {
  return `${contextArtifactPrefix(projectId, contextId)}${safe('sessionId', sessionId)}.profile`;
}
