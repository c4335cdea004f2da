import { SESSION_STATUSES, type SessionStatus } from '@hangar/contracts';
import type { SessionListFilter } from '@hangar/db';
import { ApiError } from '../errors/api-error.js';

const Q_SHAPE = "q must look like user_metadata['key']['nested']:'value' (string equality on a user metadata path)";

/** Nesting deeper than this is not something a 512-character metadata object needs. */
const MAX_PATH_DEPTH = 16;

/**
 * `user_metadata['a']['b']:'v'` → `{path: ['a', 'b'], value: 'v'}`. Keys and the value are
 * quoted with ' or "; a backslash escapes the quote or itself inside them. Only string equality
 * is queryable, as on the hosted API.
 */
export function parseMetadataQuery(q: string): { path: string[]; value: string } {
  let i = 0;
  const fail = (): never => {
    throw new ApiError('VALIDATION', Q_SHAPE);
  };
  const skipSpaces = () => {
    while (q[i] === ' ') i++;
  };
  const quoted = (): string => {
    const quote = q[i];
    if (quote !== "'" && quote !== '"') return fail();
    i++;
    let out = '';
    for (;;) {
      const ch = q[i++];
      if (ch === undefined) return fail();
      if (ch === quote) return out;
      if (ch === '\\') {
        const next = q[i++];
        if (next === undefined) return fail();
        out += next;
      } else out += ch;
    }
  };

  skipSpaces();
  if (!q.startsWith('user_metadata', i)) fail();
  i += 'user_metadata'.length;
  const path: string[] = [];
  while (q[i] === '[') {
    i++;
    path.push(quoted());
    if (q[i] !== ']') fail();
    i++;
  }
  if (path.length === 0 || path.length > MAX_PATH_DEPTH) fail();
  skipSpaces();
  if (q[i] !== ':') fail();
  i++;
  skipSpaces();
  const value = quoted();
  skipSpaces();
  if (i !== q.length) fail();
  return { path, value };
}

function single(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ApiError('VALIDATION', `${name} must be given at most once`);
  return value;
}

/** `GET /v1/sessions?status=&q=` → the repository's filter; an empty parameter means no filter. */
export function parseListQuery(query: Record<string, unknown> | undefined): SessionListFilter {
  const status = single('status', query?.status);
  const q = single('q', query?.q);
  const filter: SessionListFilter = {};
  if (status) {
    if (!(SESSION_STATUSES as readonly string[]).includes(status)) {
      throw new ApiError('VALIDATION', `status must be one of ${SESSION_STATUSES.join(', ')}`);
    }
    filter.status = status as SessionStatus;
  }
  if (q && q.trim()) filter.metadata = parseMetadataQuery(q);
  return filter;
}
