import { gatewayEnvSchema } from './env.js';

const base = { HANGAR_SIGNING_SECRET: 'a-secret-of-sixteen-chars', HANGAR_INTERNAL_SECRET: 'another-secret-of-16-chars' };

describe('gateway env: WebSocket keepalive', () => {
  it('pings after 10 s of client silence and cuts after 30 s by default', () => {
    const env = gatewayEnvSchema.parse(base);
    expect([env.HANGAR_WS_PING_INTERVAL_MS, env.HANGAR_WS_IDLE_TIMEOUT_MS]).toEqual([10_000, 30_000]);
  });

  it('refuses an idle timeout that would cut clients before they are ever pinged', () => {
    const result = gatewayEnvSchema.safeParse({ ...base, HANGAR_WS_PING_INTERVAL_MS: '5000', HANGAR_WS_IDLE_TIMEOUT_MS: '5000' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['HANGAR_WS_IDLE_TIMEOUT_MS'], message: expect.stringContaining('greater than HANGAR_WS_PING_INTERVAL_MS') });
  });
});

describe('gateway env: internal secret', () => {
  it('is required', () => {
    const result = gatewayEnvSchema.safeParse({ HANGAR_SIGNING_SECRET: base.HANGAR_SIGNING_SECRET });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path)).toContainEqual(['HANGAR_INTERNAL_SECRET']);
  });

  it('must differ from the signing secret (nodes hold it)', () => {
    const result = gatewayEnvSchema.safeParse({ ...base, HANGAR_INTERNAL_SECRET: base.HANGAR_SIGNING_SECRET });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['HANGAR_INTERNAL_SECRET'], message: expect.stringContaining('differ') });
  });
});
