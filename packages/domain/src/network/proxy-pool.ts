import { isProxyServer } from '@hangar/contracts';
import { z } from 'zod';
import type { ProxyPoolEntry } from './proxy-routes.js';

const entrySchema = z.object({
  url: z.string().refine(isProxyServer, { error: 'must be a proxy URL such as http://user:pass@host:port' }),
  country: z.string().length(2).optional(),
  state: z.string().min(1).optional(),
  city: z.string().min(1).optional(),
});

/**
 * HANGAR_PROXY_POOL: the operator's upstreams for `proxies: true` and `type: "browserbase"`, a
 * JSON array of `{url, country?, state?, city?}` (empty or unset: no pool, and such sessions are
 * refused with a 400). Throws with the entry and the rule on anything else.
 */
export function parseProxyPool(text: string | undefined): ProxyPoolEntry[] {
  if (text === undefined || text.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('HANGAR_PROXY_POOL must be a JSON array of {"url", "country"?, "state"?, "city"?}');
  }
  const parsed = z.array(entrySchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`HANGAR_PROXY_POOL[${issue.path.join('.')}] ${issue.message}`);
  }
  return parsed.data.map((e) => ({ url: e.url, ...(e.country ? { country: e.country } : {}), ...(e.state ? { state: e.state } : {}), ...(e.city ? { city: e.city } : {}) }));
}

/** HANGAR_PROXY_POOL in a service's environment schema (the gateway validates with it, the nodes route with it: set it alike). */
export const proxyPoolEnv = {
  HANGAR_PROXY_POOL: z
    .string()
    .optional()
    .transform((text, ctx): ProxyPoolEntry[] => {
      try {
        return parseProxyPool(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    }),
};
