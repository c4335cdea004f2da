/** A refusal the gateway answers itself, shaped as W3C WebDriver errors are (`{value: {error, message, stacktrace}}`). */
export class WebDriverRefusal extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebDriverRefusal';
  }

  get body(): string {
    return JSON.stringify({ value: { error: this.error, message: this.message, stacktrace: '' } });
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * chromedriver's new-session answer, made to make sense outside the node: the loopback
 * `debuggerAddress` it was attached with is dropped, and `se:cdp` (the browser's raw DevTools
 * socket on the node's loopback) becomes the session's own connectUrl, which reaches the same
 * browser through the gateway and its CDP guard. The WebDriver session id is chromedriver's own
 * and passes as it is: the gateway finds the browser by the request's key, never by that id.
 */
export function rewriteNewSession(text: string, connectUrl: string): string {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return text;
  }
  const caps = isObject(answer) && isObject(answer['value']) ? answer['value']['capabilities'] : undefined;
  if (!isObject(caps)) return text;
  const chrome = caps['goog:chromeOptions'];
  if (isObject(chrome)) delete chrome['debuggerAddress'];
  if ('se:cdp' in caps) caps['se:cdp'] = connectUrl;
  return JSON.stringify(answer);
}
