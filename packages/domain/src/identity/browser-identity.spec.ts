import { browserIdentity, DEFAULT_VIEWPORT, engineVersion, fingerprintQuery, fitsOs, type GeneratedFingerprint } from './browser-identity.js';

const engine = { major: '156', full: '156.0.8078.114' };
const windows: GeneratedFingerprint = {
  navigator: {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Safari/537.36',
    platform: 'Win32',
    hardwareConcurrency: 12,
    maxTouchPoints: 0,
    userAgentData: {
      brands: [{ brand: 'Google Chrome', version: '147' }, { brand: 'Not.A/Brand', version: '8' }, { brand: 'Chromium', version: '147' }],
      fullVersionList: [{ brand: 'Google Chrome', version: '147.0.7727.137' }, { brand: 'Not.A/Brand', version: '8.0.0.0' }, { brand: 'Chromium', version: '147.0.7727.137' }],
      platform: 'Windows',
      platformVersion: '19.0.0',
      architecture: 'x86',
      bitness: '64',
      model: '',
    },
  },
  screen: { width: 1920, height: 1080 },
};
const android: GeneratedFingerprint = {
  navigator: {
    userAgent: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/147.0.0.0 Mobile Safari/537.36',
    platform: 'Linux armv81',
    hardwareConcurrency: 8,
    maxTouchPoints: 5,
    userAgentData: { platform: 'Android', platformVersion: '10', architecture: 'arm', bitness: '64', model: 'SM-F936B' },
  },
  screen: { width: 412, height: 915 },
};

describe('browserIdentity', () => {
  it('claims the engine\'s version, never the generated one, in the user agent and every brand', () => {
    const id = browserIdentity('windows', windows, engine);
    expect(id.userAgent).toBe('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36');
    expect(id.userAgentMetadata.brands).toEqual([{ brand: 'Google Chrome', version: '156' }, { brand: 'Not.A/Brand', version: '8' }, { brand: 'Chromium', version: '156' }]);
    expect(id.userAgentMetadata.fullVersionList.map((b) => b.version)).toEqual(['156.0.8078.114', '8.0.0.0', '156.0.8078.114']);
    expect(id).toMatchObject({ platform: 'Win32', hardwareConcurrency: 12, maxTouchPoints: 0, viewport: DEFAULT_VIEWPORT, userAgentMetadata: { platform: 'Windows', mobile: false, formFactors: ['Desktop'] } });
  });

  it('drops Headless from a user agent and keeps the screen at least as large as the viewport', () => {
    const headless = { ...windows, navigator: { ...windows.navigator, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36' } };
    const id = browserIdentity('linux', headless, engine, { width: 2560, height: 900 });
    expect(id.userAgent).not.toContain('Headless');
    expect(id.viewport).toEqual({ width: 2560, height: 900 });
    expect(id.screen).toEqual({ width: 2560, height: 1080 });
  });

  it('makes a phone a touch device sized to its screen, and a tablet one without the Mobile token', () => {
    const phone = browserIdentity('mobile', android, engine);
    expect(phone).toMatchObject({ maxTouchPoints: 5, viewport: { width: 412, height: 915 }, userAgentMetadata: { mobile: true, model: 'SM-F936B', formFactors: ['Mobile'] } });
    expect(phone.userAgent).toContain(' Mobile Safari/');
    const tablet = browserIdentity('tablet', android, engine);
    expect(tablet.userAgent).not.toContain('Mobile');
    expect(tablet).toMatchObject({ maxTouchPoints: 5, viewport: { width: 800, height: 1280 }, userAgentMetadata: { mobile: false, model: '', formFactors: ['Tablet'] } });
    // Brands and hints the generator left out are the engine's own set and the os's.
    expect(browserIdentity('linux', { ...windows, navigator: { ...windows.navigator, userAgentData: {} } }, engine).userAgentMetadata).toMatchObject({ platform: 'Linux', architecture: 'x86', bitness: '64' });
    expect(phone.userAgentMetadata.brands.map((b) => b.brand)).toEqual(['Not.A/Brand', 'Chromium', 'Google Chrome']);
  });

  it('tells a fingerprint of the os from an odd sample that is not', () => {
    expect(fitsOs('windows', windows)).toBe(true);
    expect(fitsOs('windows', { ...windows, navigator: { ...windows.navigator, platform: 'Linux x86_64' } })).toBe(false);
    expect(fitsOs('mac', windows)).toBe(false);
    expect(fitsOs('mobile', android)).toBe(true);
    expect(fitsOs('tablet', android)).toBe(true);
    expect(fitsOs('linux', android)).toBe(false);
  });

  it('asks the generator for each os', () => {
    expect(fingerprintQuery('mac')).toEqual({ operatingSystems: ['macos'], devices: ['desktop'] });
    expect(fingerprintQuery('tablet')).toEqual({ operatingSystems: ['android'], devices: ['mobile'] });
  });

  it('reads the engine version from Browser.getVersion\'s product', () => {
    expect(engineVersion('HeadlessChrome/156.0.8078.114')).toEqual(engine);
    expect(engineVersion('Chrome/156')).toBeUndefined();
  });
});
