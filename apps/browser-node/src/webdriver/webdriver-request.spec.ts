import { attachedCapabilities, commandRefusal } from './webdriver-request.js';

describe('attachedCapabilities', () => {
  it('replaces whatever chromeOptions the client sent with the session browser, in every firstMatch too', () => {
    const body = {
      capabilities: {
        alwaysMatch: { browserName: 'chrome', pageLoadStrategy: 'eager', webSocketUrl: true, 'goog:chromeOptions': { binary: '/bin/sh', args: ['--no-sandbox'], extensions: ['x'], debuggerAddress: '127.0.0.1:1' } },
        firstMatch: [{ 'goog:chromeOptions': { args: ['--remote-allow-origins=*'] } }, { 'se:cdp': 'ws://evil' }],
      },
    };
    expect(attachedCapabilities(body, '127.0.0.1:9222')).toEqual({
      capabilities: { alwaysMatch: { browserName: 'chrome', pageLoadStrategy: 'eager', 'goog:chromeOptions': { debuggerAddress: '127.0.0.1:9222' } }, firstMatch: [{}, {}] },
    });
  });

  it('takes a body without capabilities, or not an object at all', () => {
    for (const body of [undefined, null, 'x', [], { capabilities: 'x' }, { desiredCapabilities: { 'goog:chromeOptions': { binary: '/bin/sh' } } }]) {
      expect(attachedCapabilities(body, '127.0.0.1:1')).toEqual({ capabilities: { alwaysMatch: { 'goog:chromeOptions': { debuggerAddress: '127.0.0.1:1' } }, firstMatch: [{}] } });
    }
  });
});

describe('commandRefusal', () => {
  it('passes the W3C commands', () => {
    expect(commandRefusal('GET', '/status', undefined)).toBeUndefined();
    expect(commandRefusal('POST', '/session', {})).toBeUndefined();
    expect(commandRefusal('POST', '/session/abc/element', { using: 'css selector', value: 'a' })).toBeUndefined();
    expect(commandRefusal('POST', '/session/abc/url', { url: 'https://example.com/' })).toBeUndefined();
    expect(commandRefusal('DELETE', '/session/abc', undefined)).toBeUndefined();
  });

  it('refuses raw CDP, file transfer and what is not a command', () => {
    expect(commandRefusal('POST', '/session/abc/goog/cdp/execute', { cmd: 'Browser.setDownloadBehavior' })).toMatchObject({ status: 400, error: 'unsupported operation' });
    expect(commandRefusal('POST', '/session/abc/chromium/send_command_and_get_result', {})).toMatchObject({ error: 'unsupported operation' });
    expect(commandRefusal('POST', '/session/abc/se/file', { file: 'UEsDBA==' })).toMatchObject({ error: 'unsupported operation' });
    expect(commandRefusal('GET', '/shutdown', undefined)).toMatchObject({ status: 404, error: 'unknown command' });
    expect(commandRefusal('GET', '/sessions', undefined)).toMatchObject({ status: 404 });
    expect(commandRefusal('DELETE', '/status', undefined)).toMatchObject({ status: 405, error: 'unknown method' });
  });

  it('refuses navigations to local schemes, as the CDP guard does', () => {
    for (const url of ['file:///etc/passwd', ' FI\tLE:///etc/passwd', 'chrome://version', 'view-source:file:///etc', 42]) {
      expect(commandRefusal('POST', '/session/abc/url', { url })).toMatchObject({ status: 400, error: 'invalid argument' });
    }
  });
});
