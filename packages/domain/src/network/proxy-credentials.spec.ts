import type { ProxyConfig } from '@hangar/contracts';
import { openProxyPasswords, sealProxyPasswords } from './proxy-credentials.js';

const seal = (p: string) => `sealed:${[...p].reverse().join('')}`;
const isSealed = (v: string) => v.startsWith('sealed:');
const open = (v: string) => {
  if (v === 'sealed:broken') throw new Error('no');
  return [...v.slice('sealed:'.length)].reverse().join('');
};

describe('proxy passwords across the event log', () => {
  const rules: ProxyConfig[] = [{ type: 'none' }, { type: 'external', server: 'http://p:1', username: 'u', password: 'pw' }, { type: 'external', server: 'http://q:1' }];

  it('seals only external rules\' passwords, and opens them back', () => {
    const sealed = sealProxyPasswords(rules, seal);
    expect(sealed).toEqual([rules[0], { ...rules[1], password: 'sealed:wp' }, rules[2]]);
    expect(openProxyPasswords(sealed, open, isSealed)).toEqual({ ok: true, proxies: rules });
    expect(sealProxyPasswords(true, seal)).toBe(true);
    expect(sealProxyPasswords(undefined, seal)).toBeUndefined();
  });

  it('takes a password written before sealing as it is, and refuses one that does not open, naming the rule', () => {
    expect(openProxyPasswords(rules, open, isSealed)).toEqual({ ok: true, proxies: rules });
    const broken: ProxyConfig[] = [rules[0]!, { type: 'external', server: 'http://p:1', password: 'sealed:broken' }];
    expect(openProxyPasswords(broken, open, isSealed)).toMatchObject({ ok: false, field: 'proxies[1].password' });
  });
});
