import { ApiError } from '../errors/api-error.js';
import { parseCreateSessionBody } from './create-session.body.js';

function messageFor(body: unknown): string {
  try {
    parseCreateSessionBody(body);
  } catch (err) {
    if (err instanceof ApiError) {
      expect(err.code).toBe('VALIDATION');
      return err.message;
    }
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

describe('parseCreateSessionBody', () => {
  it('fills the documented defaults for an empty or absent body', () => {
    // No timeout: the scheduler applies the project's default, so none is invented here.
    const expected = {
      projectId: undefined,
      settings: { keepAlive: false, region: 'us-west-2', browserSettings: { recordSession: true, logSession: true, ignoreCertificateErrors: true } },
    };
    for (const body of [{}, undefined]) {
      const parsed = parseCreateSessionBody(body);
      expect(parsed).toEqual(expected);
      expect(Object.keys(parsed.settings).sort()).toEqual(['browserSettings', 'keepAlive', 'region']);
    }
  });

  it('keeps what was asked, drops unknown fields, keeps the context id in browserSettings only', () => {
    const { settings: parsed } = parseCreateSessionBody({
      timeout: 60,
      keepAlive: true,
      region: 'ap-southeast-1',
      userMetadata: { a: { b: 'c' }, n: 1, t: true, z: null },
      proxies: true,
      browserSettings: { context: { id: 'ctx' }, extensionId: 'ext', recordSession: false, futureSetting: 1 },
      somethingNew: 'ignored',
    });
    expect(parsed).toMatchObject({ timeoutSeconds: 60, keepAlive: true, region: 'ap-southeast-1', proxies: true });
    expect(parsed.userMetadata).toEqual({ a: { b: 'c' }, n: 1, t: true, z: null });
    expect(parsed.browserSettings).toEqual({ context: { id: 'ctx' }, extensionId: 'ext', recordSession: false, logSession: true, ignoreCertificateErrors: true });
    expect(Object.keys(parsed).sort()).toEqual(['browserSettings', 'keepAlive', 'proxies', 'region', 'timeoutSeconds', 'userMetadata']);
  });

  it("Browserbase's top-level extensionId is kept in browserSettings, and wins over the one there", () => {
    expect(parseCreateSessionBody({ extensionId: 'top' }).settings.browserSettings.extensionId).toBe('top');
    expect(parseCreateSessionBody({ extensionId: 'top', browserSettings: { extensionId: 'inner' } }).settings.browserSettings.extensionId).toBe('top');
    expect(parseCreateSessionBody({ extensionId: 'top' }).settings).not.toHaveProperty('extensionId');
  });

  it('accepts every browser setting the SDK can send, the captcha selectors and os among them', () => {
    const browserSettings = {
      viewport: { width: 1920, height: 1080 },
      context: { id: 'ctx', persist: true },
      extensionId: 'ext',
      blockAds: true,
      solveCaptchas: true,
      captchaImageSelector: '#captcha img',
      captchaInputSelector: '#captcha input',
      recordSession: false,
      logSession: false,
      os: 'mac',
      ignoreCertificateErrors: false,
      allowedDomains: ['example.com'],
      advancedStealth: true,
      verified: true,
    };
    expect(parseCreateSessionBody({ browserSettings }).settings.browserSettings).toEqual(browserSettings);
  });

  it('accepts the timeout bounds themselves', () => {
    expect(parseCreateSessionBody({ timeout: 60 }).settings.timeoutSeconds).toBe(60);
    expect(parseCreateSessionBody({ timeout: 21600 }).settings.timeoutSeconds).toBe(21600);
  });

  it('accepts every proxy shape the SDK can send', () => {
    const proxies = [
      { type: 'browserbase', geolocation: { country: 'US', state: 'NY', city: 'New York' }, domainPattern: '*.com' },
      { type: 'external', server: 'http://p:1', username: 'u', password: 'p' },
      { type: 'none', domainPattern: 'internal' },
    ];
    expect(parseCreateSessionBody({ proxies }).settings.proxies).toEqual(proxies);
    expect(parseCreateSessionBody({ proxies: false }).settings.proxies).toBe(false);
  });

  it.each<[unknown, string]>([
    [null, 'request body must be a JSON object'],
    ['x', 'request body must be a JSON object'],
    [[], 'request body must be a JSON object'],
    [{ timeout: 59 }, 'timeout must be an integer between 60 and 21600'],
    [{ timeout: null }, 'timeout must be an integer between 60 and 21600'],
    [{ timeout: 1e100 }, 'timeout must be an integer between 60 and 21600'],
    [{ projectId: '' }, 'projectId must be at least 1 characters long'],
    [{ region: 'US-WEST-2' }, 'region must be one of us-west-2, us-east-1, eu-central-1, ap-southeast-1'],
    [{ userMetadata: 'tag' }, 'userMetadata must be a JSON object whose values are strings, numbers, booleans, null or nested objects (arrays are not allowed)'],
    [{ userMetadata: { deep: { list: [1] } } }, 'userMetadata must be a JSON object whose values are strings, numbers, booleans, null or nested objects (arrays are not allowed)'],
    [{ userMetadata: { k: 'v'.repeat(504) } }, 'userMetadata must serialize to fewer than 512 characters of JSON'],
    [{ proxies: [{}] }, 'proxies[0].type must be one of browserbase, external, none'],
    [{ proxies: [{ type: 'external', server: 5 }] }, 'proxies[0].server must be a string'],
    [{ proxies: [{ type: 'browserbase', geolocation: {} }] }, 'proxies[0].geolocation.country is required'],
    [{ browserSettings: { viewport: { width: 1024 } } }, 'browserSettings.viewport.height must be a positive integer no greater than 16384'],
    [{ browserSettings: { viewport: { width: 20000, height: 10 } } }, 'browserSettings.viewport.width must be a positive integer no greater than 16384'],
    [{ browserSettings: { context: { id: 'c', persist: 'yes' } } }, 'browserSettings.context.persist must be a boolean'],
    [{ browserSettings: { allowedDomains: ['ok.com', 3] } }, 'browserSettings.allowedDomains[1] must be a domain (example.com: it and its subdomains), *.example.com (its subdomains only) or *'],
    [{ browserSettings: { os: 'beos' } }, 'browserSettings.os must be one of windows, mac, linux, mobile, tablet'],
    [{ browserSettings: { captchaImageSelector: 7 } }, 'browserSettings.captchaImageSelector must be a string'],
    [{ extensionId: '' }, 'extensionId must be at least 1 characters long'],
  ])('%j → %s', (body, message) => {
    expect(messageFor(body)).toBe(message);
  });

  it('the metadata limit is on the serialized form: 511 characters pass, 512 do not', () => {
    const ok = { k: 'v'.repeat(511 - '{"k":""}'.length) };
    expect(JSON.stringify(ok)).toHaveLength(511);
    expect(parseCreateSessionBody({ userMetadata: ok }).settings.userMetadata).toEqual(ok);
    const tooLong = { k: 'v'.repeat(512 - '{"k":""}'.length) };
    expect(messageFor({ userMetadata: tooLong })).toBe('userMetadata must serialize to fewer than 512 characters of JSON');
  });
});
