/** Header names whose values never reach telemetry: credentials a page or client sent or got. */
const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization']);
/** Raw header blocks (Network.Response.headersText, requestHeadersText) hold the same values as text. */
const RAW_HEADER_BLOCKS = new Set(['headerstext', 'requestheaderstext']);
export const REDACTED = '[redacted]';

/**
 * A copy of `value` with the values of credential headers replaced, at any depth: CDP carries
 * headers as objects (`{Cookie: '…'}`, Network.Headers) and as arrays of `{name, value}`
 * (Fetch.HeaderEntry); and cookie objects, whose value is what a Cookie header carries.
 * Names match case-insensitively.
 * Depth-limited: a hostile params object cannot make this recurse without end.
 */
export function redactHeaders<T>(value: T, depth = 0): T {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactHeaders(v, depth + 1)) as T;
  const src = value as Record<string, unknown>;
  // `{name: 'Cookie', value}` header entries, and cookies themselves (Network.setCookie(s),
  // getCookies' answers: `{name, value, domain|url|path}`), whose value is the same secret.
  const cookieShaped = typeof src.name === 'string' && typeof src.value === 'string' && ('domain' in src || 'url' in src || 'path' in src);
  const named = (typeof src.name === 'string' && SECRET_HEADERS.has(src.name.toLowerCase()) && 'value' in src) || cookieShaped;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (named && k === 'value') out[k] = REDACTED;
    else if (SECRET_HEADERS.has(k.toLowerCase()) && (typeof v === 'string' || Array.isArray(v))) out[k] = REDACTED;
    else if (RAW_HEADER_BLOCKS.has(k.toLowerCase()) && typeof v === 'string') out[k] = REDACTED;
    else out[k] = redactHeaders(v, depth + 1);
  }
  return out as T;
}

/**
 * The raw JSON text of a CDP message with the same values redacted, for `rawBody`: re-serialized
 * from the redacted parse, so no spelling of a header name ("COOKIE", escaped unicode) slips past
 * a text match. Text that is not JSON is kept only as its length.
 */
export function redactRaw(raw: string): { parsed: unknown; rawBody: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { parsed: undefined, rawBody: `[${raw.length} characters, not JSON]` };
  }
  const redacted = redactHeaders(parsed);
  return { parsed: redacted, rawBody: JSON.stringify(redacted) };
}
