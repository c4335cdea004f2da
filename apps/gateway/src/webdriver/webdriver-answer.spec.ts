import { rewriteNewSession, WebDriverRefusal } from './webdriver-answer.js';

describe('rewriteNewSession', () => {
  it('drops the loopback debuggerAddress and points se:cdp at the connectUrl', () => {
    const answer = { value: { sessionId: 'abc', capabilities: { browserName: 'chrome', 'goog:chromeOptions': { debuggerAddress: '127.0.0.1:9222' }, 'se:cdp': 'ws://127.0.0.1:9222/devtools/browser/x' } } };
    expect(JSON.parse(rewriteNewSession(JSON.stringify(answer), 'ws://gw/?signingKey=k'))).toEqual({
      value: { sessionId: 'abc', capabilities: { browserName: 'chrome', 'goog:chromeOptions': {}, 'se:cdp': 'ws://gw/?signingKey=k' } },
    });
  });

  it('leaves what is not a new-session answer as it is', () => {
    for (const text of ['not json', '{"value":null}', '{"value":{"error":"session not created"}}']) expect(rewriteNewSession(text, 'ws://gw')).toBe(text);
  });
});

describe('WebDriverRefusal', () => {
  it('is shaped as a W3C error', () => {
    expect(JSON.parse(new WebDriverRefusal(401, 'unknown error', 'no key').body)).toEqual({ value: { error: 'unknown error', message: 'no key', stacktrace: '' } });
  });
});
