import { BlockList, isIP } from 'node:net';
import { matchesDomainPattern } from './proxy-routes.js';

/*
 * Where a session's browser may connect: the decision its node's front proxy takes for every
 * request and tunnel (apps/browser-node/src/egress/), against the address it is about to connect
 * to, after its own DNS lookup (a name that resolves to a denied address is denied: no DNS
 * rebinding). In order:
 *   1. Hangar's own services (HANGAR_EGRESS_SERVICES, and every port the node itself listens on
 *      or gave a browser) are denied, always: an allow entry does not open them.
 *   2. HANGAR_EGRESS_ALLOW: allowed.
 *   3. HANGAR_EGRESS_DENY: denied.
 *   4. Built in, denied: link-local (169.254.0.0/16, fe80::/10) and cloud metadata
 *      (169.254.169.254, fd00:ec2::254, 100.100.100.200, metadata.google.internal).
 *   5. Everything else: allowed.
 * An entry is `loopback`, `private`, `link-local`, `metadata`, a CIDR, an address or a host
 * name (exact; `.example.com` for it and its subdomains), each optionally with `:port`
 * (`[v6]:port` for IPv6).
 */

export type EgressVerdict = { allowed: true } | { allowed: false; why: string };

interface Entry {
  readonly text: string;
  readonly port?: number;
  readonly addresses?: BlockList;
  readonly host?: string;
}

const KEYWORDS: Record<string, { cidrs: string[]; hosts?: string[] }> = {
  loopback: { cidrs: ['127.0.0.0/8', '0.0.0.0/8', '::1/128', '::/128'] },
  private: { cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'] },
  'link-local': { cidrs: ['169.254.0.0/16', 'fe80::/10'] },
  metadata: { cidrs: ['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32'], hosts: ['metadata.google.internal'] },
};

const HOST = /^\.?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/i;

/** `::ffff:1.2.3.4` is 1.2.3.4 to the kernel, so it is to the policy. */
export function canonicalAddress(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped ? mapped[1]! : bare.toLowerCase();
}

function addCidr(list: BlockList, cidr: string): boolean {
  const [net, prefix] = cidr.split('/');
  const family = isIP(net ?? '');
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) {
    list.addAddress(net!, type);
    return true;
  }
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(net!, bits, type);
  return true;
}

function parseEntry(raw: string): Entry[] | undefined {
  const text = raw.trim();
  let body = text;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?(\/\d+)?$/.exec(text);
  if (bracketed) {
    body = bracketed[1]! + (bracketed[3] ?? '');
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if (isIP(text.split('/')[0]!) !== 6) {
    const withPort = /^(.*):(\d+)$/.exec(text);
    if (withPort) {
      body = withPort[1]!;
      port = Number(withPort[2]);
    }
  }
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const at = port === undefined ? {} : { port };
  const keyword = KEYWORDS[body.toLowerCase()];
  if (keyword) {
    const addresses = new BlockList();
    for (const cidr of keyword.cidrs) addCidr(addresses, cidr);
    return [{ text, addresses, ...at }, ...(keyword.hosts ?? []).map((host) => ({ text, host, ...at }))];
  }
  const addresses = new BlockList();
  if (addCidr(addresses, body)) return [{ text, addresses, ...at }];
  if (body.includes('/') || !HOST.test(body)) return undefined;
  return [{ text, host: body.toLowerCase(), ...at }];
}

/** A comma-separated list; throws naming the variable and the entry it cannot read. */
export function parseEgressList(text: string | undefined, name: string): Entry[] {
  const entries: Entry[] = [];
  for (const raw of (text ?? '').split(',')) {
    if (raw.trim() === '') continue;
    const parsed = parseEntry(raw);
    if (!parsed) throw new Error(`${name}: cannot read ${JSON.stringify(raw.trim())} (loopback, private, link-local, metadata, a CIDR, an address or a host name, each optionally with :port)`);
    entries.push(...parsed);
  }
  return entries;
}

function matching(entries: readonly Entry[], target: EgressTarget): Entry | undefined {
  const address = canonicalAddress(target.address);
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return entries.find(
    (e) =>
      (e.port === undefined || e.port === target.port) &&
      ((e.addresses !== undefined && isIP(address) !== 0 && e.addresses.check(address, type)) || (e.host !== undefined && matchesDomainPattern(e.host, target.host))),
  );
}

export interface EgressTarget {
  /** The name the request asked for (or the address, for an address). */
  readonly host: string;
  /** The address about to be connected to. */
  readonly address: string;
  readonly port: number;
}

export interface EgressPolicyConfig {
  readonly allow?: string;
  readonly deny?: string;
  /** host:port of Hangar's own services (its gateway, NATS, Postgres, ops ports). */
  readonly services?: string;
}

const BUILT_IN = [...parseEgressList('link-local,metadata', 'built-in')];

export class EgressPolicy {
  private readonly allow: Entry[];
  private readonly deny: Entry[];
  private readonly services: Entry[];

  constructor(config: EgressPolicyConfig = {}) {
    this.allow = parseEgressList(config.allow, 'HANGAR_EGRESS_ALLOW');
    this.deny = parseEgressList(config.deny, 'HANGAR_EGRESS_DENY');
    this.services = parseEgressList(config.services, 'HANGAR_EGRESS_SERVICES');
    if (this.services.some((e) => e.port === undefined)) throw new Error('HANGAR_EGRESS_SERVICES: every entry needs its :port');
  }

  /**
   * `ownService`: whether the address and port are a service of Hangar's that the caller knows of
   * beyond the configured ones (the node: its own ports, its browsers' DevTools and proxies, on any
   * of this host's addresses; the resolved addresses of the configured host names).
   */
  verdict(target: EgressTarget, ownService: (address: string, port: number) => boolean = () => false): EgressVerdict {
    const service = matching(this.services, target);
    if (service || ownService(canonicalAddress(target.address), target.port)) return { allowed: false, why: `${target.host}:${target.port} is one of Hangar's own services` };
    if (matching(this.allow, target)) return { allowed: true };
    const denied = matching(this.deny, target);
    if (denied) return { allowed: false, why: `${target.host}:${target.port} is denied by HANGAR_EGRESS_DENY (${denied.text})` };
    const builtIn = matching(BUILT_IN, target);
    if (builtIn) return { allowed: false, why: `${target.host}:${target.port} is a link-local or cloud-metadata address (${builtIn.text}); HANGAR_EGRESS_ALLOW can open it` };
    return { allowed: true };
  }

  /** The services' entries that name hosts, for the node to resolve (their addresses are denied too). */
  serviceHosts(): Array<{ host: string; port: number }> {
    return this.services.filter((e) => e.host !== undefined).map((e) => ({ host: e.host!, port: e.port! }));
  }
}
