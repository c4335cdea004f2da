import type { Geolocation, ProxySetting } from '@hangar/contracts';

/*
 * What a session's `proxies` mean for each host its browser reaches: the rules in order, the
 * first whose domainPattern matches wins, a rule without one matches every host, and a host no
 * rule matches goes direct. `type: "browserbase"` (and `proxies: true`) is an upstream from the
 * operator's pool (HANGAR_PROXY_POOL), chosen by geolocation when the session starts: Hangar has
 * no proxy network of its own, and never turns such a rule into a silent direct connection.
 */

/** One upstream of the operator's pool, labelled with where it exits. */
export interface ProxyPoolEntry {
  readonly url: string;
  readonly country?: string;
  readonly state?: string;
  readonly city?: string;
}

export type ProxyRoute = { readonly kind: 'direct' } | { readonly kind: 'upstream'; readonly url: string; readonly via: 'external' | 'pool' };

export interface ProxyRule {
  /** Lower-cased; undefined matches every host. */
  readonly pattern?: string;
  readonly route: ProxyRoute;
}

export type CompiledProxyRules = { ok: true; rules: ProxyRule[] } | { ok: false; field: string; message: string };

const DIRECT: ProxyRoute = { kind: 'direct' };

/** `http://user:pass@host:port` from a server and the separate credentials the API takes (these win). */
export function upstreamUrl(server: string, username?: string, password?: string): string {
  const url = new URL(server);
  if (username !== undefined) url.username = encodeURIComponent(username);
  if (password !== undefined) url.password = encodeURIComponent(password);
  return url.href.replace(/\/$/, '');
}

/** The pool entries that can serve `geolocation` (country, then state, then city; case-insensitive; spaces in a city ignored). */
export function poolCandidates(pool: readonly ProxyPoolEntry[], geolocation?: Geolocation): ProxyPoolEntry[] {
  if (!geolocation) return [...pool];
  const same = (a: string | undefined, b: string) => a !== undefined && a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();
  return pool.filter(
    (e) =>
      same(e.country, geolocation.country) &&
      (geolocation.state === undefined || same(e.state, geolocation.state)) &&
      (geolocation.city === undefined || same(e.city, geolocation.city)),
  );
}

/** A small stable hash, so one session keeps one pool upstream and sessions spread over the candidates. */
function spread(seed: string, n: number): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return (h >>> 0) % n;
}

/**
 * The session's rules with each pool rule bound to one upstream; or the field and rule a 400
 * names: a pool rule with no pool configured, or no upstream for its geolocation.
 */
export function compileProxyRules(setting: ProxySetting | undefined, pool: readonly ProxyPoolEntry[], seed: string): CompiledProxyRules {
  if (setting === undefined || setting === false) return { ok: true, rules: [] };
  const configs = setting === true ? [{ type: 'browserbase' as const }] : setting;
  const rules: ProxyRule[] = [];
  for (const [i, config] of configs.entries()) {
    const field = setting === true ? 'proxies' : `proxies[${i}]`;
    const pattern = config.domainPattern?.toLowerCase();
    const at = (route: ProxyRoute): ProxyRule => (pattern === undefined ? { route } : { pattern, route });
    switch (config.type) {
      case 'none':
        rules.push(at(DIRECT));
        break;
      case 'external':
        rules.push(at({ kind: 'upstream', url: upstreamUrl(config.server, config.username, config.password), via: 'external' }));
        break;
      case 'browserbase': {
        if (pool.length === 0) {
          return { ok: false, field: 'proxies', message: 'asks for a Browserbase proxy, and this Hangar has no proxy network: its operator has configured no proxy pool (HANGAR_PROXY_POOL); use type "external" with your own proxy' };
        }
        const candidates = poolCandidates(pool, config.geolocation);
        if (candidates.length === 0) {
          return { ok: false, field: `${field}.geolocation`, message: 'has no proxy in this Hangar\'s pool (HANGAR_PROXY_POOL); ask its operator, or leave geolocation out' };
        }
        rules.push(at({ kind: 'upstream', url: candidates[spread(`${seed}:${i}`, candidates.length)]!.url, via: 'pool' }));
        break;
      }
    }
  }
  return { ok: true, rules };
}

/** `example.com` that host only; `*.example.com` its subdomains; `.example.com` both; `*` any host. */
export function matchesDomainPattern(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return h.endsWith(pattern.slice(1));
  if (pattern.startsWith('.')) return h === pattern.slice(1) || h.endsWith(pattern);
  return h === pattern;
}

/** The route for one host: the first rule that matches it, else direct. */
export function routeFor(rules: readonly ProxyRule[], host: string): ProxyRoute {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  for (const rule of rules) if (rule.pattern === undefined || matchesDomainPattern(rule.pattern, bare)) return rule.route;
  return DIRECT;
}
