import type { z } from 'zod';
import { ApiError } from './api-error.js';

type Issue = z.core.$ZodIssue;

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/**
 * Zod's default messages ("Invalid input: expected number, received string") say neither which
 * field nor what to do. This per-parse error map writes the rule; `formatIssue` prefixes the
 * field path. Messages written on a schema itself take precedence over this map.
 */
export const apiErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return `must be at least ${String(issue.minimum)} characters long`;
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} items`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters long`;
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} items`;
      return `must be at most ${String(issue.maximum)}`;
    default:
      return undefined;
  }
};

/** `['proxies', 0, 'server']` → `proxies[0].server` */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

/**
 * A union's own issue says only "no branch matched". When one branch got further than the
 * others (the input had that branch's shape but a bad field), that branch's issue is the useful
 * one to report.
 */
function deepest(issue: Issue): { issue: Issue; path: PropertyKey[] } {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: Issue | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first && first.path.length > 0 && (!best || first.path.length > best.path.length)) best = first;
    }
    if (best) {
      const inner = deepest(best);
      return { issue: inner.issue, path: [...issue.path, ...inner.path] };
    }
  }
  return { issue, path: issue.path };
}

export function formatIssue(issue: Issue, subject = 'request body'): string {
  const { issue: chosen, path } = deepest(issue);
  const field = fieldPath(path);
  return `${field || subject} ${chosen.message}`;
}

/** Parses `input` or throws a 400 whose message names every offending field and its rule. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, subject = 'request body'): z.infer<S> {
  const result = schema.safeParse(input, { error: apiErrorMap });
  if (result.success) return result.data;
  const messages = [...new Set(result.error.issues.map((i) => formatIssue(i, subject)))];
  throw new ApiError('VALIDATION', messages.slice(0, 5).join('; '));
}
