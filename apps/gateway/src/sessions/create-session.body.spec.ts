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
    const expected = {
      projectId: undefined,
      extensionId: undefined,
      keepAlive: false,
      timeoutSeconds: undefined,
      region: 'us-west-2',
      userMetadata: undefined,
      contextId: undefined,
      proxies: undefined,
      browserSettings: { recordSession: true, logSession: true, ignoreCertificateErrors: true },
    };
    expect(parseCreateSessionBody({})).toEqual(expected);
    expect(parseCreateSessionBody(undefined)).toEqual(expected);
  });

  it('keeps what was asked, drops unknown fields, takes the context id from browserSettings', () => {
    const parsed = parseCreateSessionBody({
      timeout: 60,
      keepAlive: true,
      region: 'ap-southeast-1',
      userMetadata: { a: { b: 'c' }, n: 1, t: true, z: null },
      proxies: true,
      browserSettings: { context: { id: 'ctx' }, extensionId: 'ext', recordSession: false, futureSetting: 1 },
      somethingNew: 'ignored',
    });
    expect(parsed).toMatchObject({ timeoutSeconds: 60, keepAlive: true, region: 'ap-southeast-1', contextId: 'ctx', extensionId: 'ext', proxies: true });
    expect(parsed.userMetadata).toEqual({ a: { b: 'c' }, n: 1, t: true, z: null });
    expect(parsed.browserSettings).toEqual({ context: { id: 'ctx' }, extensionId: 'ext', recordSession: false, logSession: true, ignoreCertificateErrors: true });
    expect(parsed).not.toHaveProperty('somethingNew');
  });

  it('accepts the timeout bounds themselves', () => {
    expect(parseCreateSessionBody({ timeout: 60 }).timeoutSeconds).toBe(60);
    expect(parseCreateSessionBody({ timeout: 21600 }).timeoutSeconds).toBe(21600);
  });

  it('accepts every proxy shape the SDK can send', () => {
    const proxies = [
      { type: 'browserbase', geolocation: { country: 'US', state: 'NY', city: 'New York' }, domainPattern: '.*\\.com' },
      { type: 'external', server: 'http://p:1', username: 'u', password: 'p' },
      { type: 'none', domainPattern: 'internal' },
    ];
    expect(parseCreateSessionBody({ proxies }).proxies).toEqual(proxies);
    expect(parseCreateSessionBody({ proxies: false }).proxies).toBe(false);
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
    [{ browserSettings: { allowedDomains: ['ok.com', 3] } }, 'browserSettings.allowedDomains[1] must be a string'],
  ])('%j → %s', (body, message) => {
    expect(messageFor(body)).toBe(message);
  });

  it('the metadata limit is on the serialized form: 511 characters pass, 512 do not', () => {
    const ok = { k: 'v'.repeat(511 - '{"k":""}'.length) };
    expect(JSON.stringify(ok)).toHaveLength(511);
    expect(parseCreateSessionBody({ userMetadata: ok }).userMetadata).toEqual(ok);
    const tooLong = { k: 'v'.repeat(512 - '{"k":""}'.length) };
    expect(messageFor({ userMetadata: tooLong })).toBe('userMetadata must serialize to fewer than 512 characters of JSON');
  });
});
