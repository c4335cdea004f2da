import { chromiumArgs } from './chromium.flags.js';

describe('chromiumArgs', () => {
  const profileDir = '/data/profiles/s1';

  it('defaults to a headless 1024x768 window that ignores certificate errors, about:blank last', () => {
    const args = chromiumArgs({ profileDir, browserSettings: {}, headless: true });
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
  });

  it('follows the session settings', () => {
    const args = chromiumArgs({ profileDir, browserSettings: { viewport: { width: 1920, height: 1080 }, ignoreCertificateErrors: false }, headless: false });
    expect(args).toContain('--window-size=1920,1080');
    expect(args).not.toContain('--ignore-certificate-errors');
    expect(args).not.toContain('--headless=new');
  });
});
