import type { ProxySetting } from '@hangar/contracts';

/**
 * A session's upstream passwords cross Hangar's event log sealed (packages/runtime
 * sealed-secret.ts): the gateway seals each `external` rule's password before it sends the create
 * command, the node opens them when it compiles the rules. Everything else of a rule stays as sent.
 */
export function sealProxyPasswords(proxies: ProxySetting | undefined, seal: (password: string) => string): ProxySetting | undefined {
  if (!Array.isArray(proxies)) return proxies;
  return proxies.map((rule) => (rule.type === 'external' && rule.password !== undefined ? { ...rule, password: seal(rule.password) } : rule));
}

export type OpenedProxies = { ok: true; proxies: ProxySetting | undefined } | { ok: false; field: string; message: string };

/**
 * The rules with their passwords opened. A password that is not sealed was written before the
 * gateway sealed them, and is taken as it is; one that does not open (another secret, altered) is
 * a refusal naming the rule, never a connection without it.
 */
export function openProxyPasswords(proxies: ProxySetting | undefined, open: (sealed: string) => string, isSealed: (value: string) => boolean): OpenedProxies {
  if (!Array.isArray(proxies)) return { ok: true, proxies };
  const opened: Exclude<ProxySetting, boolean> = [];
  for (const [i, rule] of proxies.entries()) {
    if (rule.type !== 'external' || rule.password === undefined || !isSealed(rule.password)) {
      opened.push(rule);
      continue;
    }
    try {
      opened.push({ ...rule, password: open(rule.password) });
    } catch {
      return { ok: false, field: `proxies[${i}].password`, message: "does not open with this node's HANGAR_INTERNAL_SECRET (sealed under another one)" };
    }
  }
  return { ok: true, proxies: opened };
}
