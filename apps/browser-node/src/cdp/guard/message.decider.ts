import { isUtf8 } from 'node:buffer';
import { GUARDED, guardFor, type GuardFolders, type Params } from './guarded-methods.js';

export type Decision =
  /** Cannot be a guarded call: goes to Chromium as received. */
  | { kind: 'forward' }
  /** Checked (and maybe confined): Chromium gets exactly this JSON, re-serialized. */
  | { kind: 'rewrite'; payload: Buffer }
  /** Never forwarded: the client gets `answer`, a CDP error response. */
  | { kind: 'refuse'; answer: string; method: string | undefined; why: string };

const FORWARD: Decision = { kind: 'forward' };
const OPEN_BRACE = 0x7b;
const BACKSLASH_U = Buffer.from('\\u');
const NEEDLES = [...new Set(GUARDED.map((e) => e.needle))].map((n) => Buffer.from(n));

/**
 * What happens to one client → Chromium message (a whole text or binary message's payload).
 *
 * Fast path, for the ~all messages that are not guarded calls: without a `\u` escape, JSON can only
 * spell a method name with its letters as they are (`\"`, `\\`, `\/`, `\n` … spell no letter, and
 * Chromium rejects `\x`), so a payload containing no needle cannot name a guarded method, in any
 * key order or with duplicate keys, and is forwarded untouched without being parsed. The top-level
 * duplicate-key trick is moot there: Chromium refuses top-level duplicates itself.
 *
 * Slow path: JSON.parse, check the top-level `method`, and forward JSON.stringify of what was
 * parsed, so what Chromium reads is what was checked: no escapes, no duplicate keys (nested ones
 * Chromium would accept, and which of two it takes is not ours to guess), nothing after the object.
 */
export function decide(payload: Buffer, binary: boolean, folders: GuardFolders): Decision {
  // Chromium also accepts CBOR, binary frames or not; only JSON is read here.
  if (binary) return refusal(undefined, undefined, 'binary messages are not accepted; send JSON text');
  if (firstNonWhitespace(payload) !== OPEN_BRACE) return refusal(undefined, undefined, 'a message must be a JSON object');
  // Invalid UTF-8 decodes to U+FFFD here and maybe otherwise elsewhere: refused, not interpreted.
  if (!isUtf8(payload)) return refusal(undefined, undefined, 'a message must be valid UTF-8');
  if (!mayBeGuarded(payload)) return FORWARD;
  return decideParsed(payload, folders);
}

function mayBeGuarded(payload: Buffer): boolean {
  if (payload.includes(BACKSLASH_U)) return true;
  for (const needle of NEEDLES) if (payload.includes(needle)) return true;
  return false;
}

function decideParsed(payload: Buffer, folders: GuardFolders): Decision {
  let message: unknown;
  try {
    message = JSON.parse(payload.toString('utf8'));
  } catch {
    return refusal(undefined, undefined, 'a message must be valid JSON');
  }
  if (!isObject(message)) return refusal(undefined, undefined, 'a message must be a JSON object');
  const { id, method, sessionId } = message;
  const entry = typeof method === 'string' ? guardFor(method) : undefined;
  if (!entry) return rewrite(message);
  const params = message.params ?? {};
  if (!isObject(params)) return refusal(id, sessionId, 'params must be an object', method as string);
  const verdict = entry.check(params, folders);
  if (!verdict.ok) return refusal(id, sessionId, verdict.why, method as string);
  return rewrite(verdict.params ? { ...message, params: verdict.params } : message);
}

const rewrite = (message: Params): Decision => ({ kind: 'rewrite', payload: Buffer.from(JSON.stringify(message), 'utf8') });

/** `{"id","sessionId","error":{code,message}}`: what Chromium answers a failed call with, so any CDP client shows it. */
function refusal(id: unknown, sessionId: unknown, why: string, method?: string): Decision {
  const answer = JSON.stringify({
    ...(typeof id === 'number' ? { id } : {}),
    ...(typeof sessionId === 'string' ? { sessionId } : {}),
    error: { code: -32000, message: `Hangar refused ${method ?? 'a message'}: ${why}` },
  });
  return { kind: 'refuse', answer, method, why };
}

function isObject(value: unknown): value is Params {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON's whitespace: space, tab, LF, CR. A BOM is not whitespace (and Chromium's parser agrees). */
function firstNonWhitespace(payload: Buffer): number | undefined {
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  }
  return undefined;
}
