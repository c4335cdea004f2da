import { chromiumArgs, needsOwnLaunch } from './chromium.flags.js';

describe('chromiumArgs', () => {
  const profileDir = '/data/profiles/s1';

  it('defaults to a headless 1024x768 window that ignores certificate errors, about:blank last', () => {
    const args = chromiumArgs({ profileDir, browserSettings: {}, headless: true, sandbox: true, proxyPort: 9 });
    expect(args).toEqual(
      expect.arrayContaining([
        '--headless=new',
        '--remote-debugging-address=127.0.0.1',
        '--remote-debugging-port=0',
        `--user-data-dir=${profileDir}`,
        '--window-size=1024,768',
        '--ignore-certificate-errors',
      ]),
    );
    expect(args.at(-1)).toBe('about:blank');
    expect(args).not.toContain('--no-sandbox');
  });

  it('turns Chromium\'s sandbox off only when told the host cannot give it', () => {
    expect(chromiumArgs({ profileDir, browserSettings: {}, headless: true, sandbox: false, proxyPort: 9 })).toContain('--no-sandbox');
  });

  it('follows the session settings', () => {
    const args = chromiumArgs({ profileDir, browserSettings: { viewport: { width: 1920, height: 1080 }, ignoreCertificateErrors: false }, headless: false, sandbox: true, proxyPort: 9 });
    // The viewport is the identity's (set over CDP): every browser opens the same window.
    expect(args).toContain('--window-size=1024,768');
    expect(args).toContain('--disable-blink-features=AutomationControlled');
    expect(args).not.toContain('--ignore-certificate-errors');
    expect(args).not.toContain('--headless=new');
  });

  it('loads the session\'s unpacked extension, and only it, before the initial URL', () => {
    const args = chromiumArgs({ profileDir, browserSettings: { extensionId: 'e' }, headless: true, sandbox: true, extensionDir: '/s/extension/top/', proxyPort: 9 });
    expect(args).toEqual(expect.arrayContaining(['--load-extension=/s/extension/top/', '--disable-extensions-except=/s/extension/top/']));
    expect(args.at(-1)).toBe('about:blank');
    expect(chromiumArgs({ profileDir, browserSettings: {}, headless: true, sandbox: true, proxyPort: 9 }).some((a) => a.startsWith('--load-extension'))).toBe(false);
  });
});

describe('needsOwnLaunch', () => {
  it('lets the warm pool serve sessions whose command line would be the pool\'s', () => {
    expect(needsOwnLaunch({}, true)).toBeUndefined();
    expect(needsOwnLaunch({ viewport: { width: 1024, height: 768 }, ignoreCertificateErrors: true, blockAds: true }, true)).toBeUndefined();
    expect(needsOwnLaunch({ viewport: { width: 800, height: 600 }, os: 'mobile', allowedDomains: ['example.com'] }, true)).toBeUndefined();
  });

  it('names what needs a launch of its own', () => {
    expect(needsOwnLaunch({ ignoreCertificateErrors: false }, true)).toBe('no flag --ignore-certificate-errors');
    expect(needsOwnLaunch({ extensionId: 'ext-1' }, true)).toBe('extension');
    expect(needsOwnLaunch({ context: { id: 'ctx-1', persist: false } }, true)).toBe('context');
  });
});
