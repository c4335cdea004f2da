import { iso31661, iso31662 } from 'iso-3166';
import { z } from 'zod';

/*
 * `proxies` as Browserbase's SDKs send it, with the rules its 400s name. Which rule applies to
 * which host, and what `browserbase` means on a Hangar (an operator's pool), is packages/domain's
 * (network/proxy-routes.ts); this is only the shape and the syntax.
 */

const COUNTRIES = new Set(iso31661.map((c) => c.alpha2));
const US_STATES = new Set(iso31662.filter((s) => s.parent === 'US').map((s) => s.code.slice(3)));

/** The protocols an upstream may speak (proxy-chain's: HTTP, HTTPS and SOCKS 4/5). */
export const PROXY_PROTOCOLS = ['http:', 'https:', 'socks:', 'socks4:', 'socks4a:', 'socks5:', 'socks5h:'] as const;
const SERVER_RULE = `must be a proxy URL such as http://host:port (${PROXY_PROTOCOLS.map((p) => p.slice(0, -1)).join(', ')}), without a path`;

export function isProxyServer(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (PROXY_PROTOCOLS as readonly string[]).includes(url.protocol) && url.hostname !== '' && (url.pathname === '' || url.pathname === '/') && !url.search && !url.hash;
}

/**
 * A host name (letters, digits, `-`, `_`, dots), optionally after `*.` (any subdomain, not the
 * name itself) or `.` (the name and any subdomain); or `*` (every host). Compared case-insensitively.
 */
export const DOMAIN_PATTERN = /^(\*|(\*\.|\.)?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*)$/i;
const PATTERN_RULE = 'must be a host name (example.com), *.example.com (its subdomains), .example.com (it and its subdomains) or *';
const domainPattern = z.string({ error: PATTERN_RULE }).max(253, { error: PATTERN_RULE }).regex(DOMAIN_PATTERN, { error: PATTERN_RULE }).optional();

export const geolocationSchema = z
  .object({
    country: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).refine((c) => COUNTRIES.has(c.toUpperCase()), { error: 'must be a two-letter ISO 3166-1 country code' }),
    state: z
      .string()
      .refine((s) => US_STATES.has(s.toUpperCase()), { error: 'must be a two-letter US state code' })
      .optional(),
    city: z.string().min(1).max(100).optional(),
  })
  .refine((g) => g.state === undefined || g.country.toUpperCase() === 'US', { error: 'is only for country US', path: ['state'] });
export type Geolocation = z.infer<typeof geolocationSchema>;

export const proxyConfigSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('browserbase'), domainPattern, geolocation: geolocationSchema.optional() }),
    z.object({
      type: z.literal('external'),
      server: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).max(2048, { error: SERVER_RULE }).refine(isProxyServer, { error: SERVER_RULE }),
      username: z.string().max(1024).optional(),
      password: z.string().max(1024).optional(),
      domainPattern,
    }),
    z.object({ type: z.literal('none'), domainPattern }),
  ],
  { error: 'must be one of browserbase, external, none' },
);
export type ProxyConfig = z.infer<typeof proxyConfigSchema>;
/** At most this many rules: each host is matched against them in order. */
export const MAX_PROXY_RULES = 100;
export const proxySettingSchema = z.union([z.boolean(), z.array(proxyConfigSchema).max(MAX_PROXY_RULES, { error: `must hold at most ${MAX_PROXY_RULES} proxy configurations` })], {
  error: 'must be true, false or an array of proxy configurations',
});
export type ProxySetting = z.infer<typeof proxySettingSchema>;

/** `proxySettings` (SDK 2.14+): certificate ids to trust from upstreams that intercept TLS. */
export const proxyExtrasSchema = z.object({ caCertificates: z.array(z.string().min(1).max(256)).max(20).optional() });
export type ProxyExtras = z.infer<typeof proxyExtrasSchema>;
