import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import os from 'node:os';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { canonicalAddress, EgressPolicy, type EgressVerdict } from '@hangar/domain';
import { LOGGER, type Logger } from '@hangar/runtime';
import { RequestError } from 'proxy-chain';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import type { NodeConfig } from '../env.js';
import { NODE_CONFIG } from '../tokens.js';

const REFRESH_MS = 30_000;

/** A dns.lookup for one connection: the addresses already checked, nothing resolved again. */
export type CheckedLookup = (host: string, options: unknown, callback: (...args: unknown[]) => void) => void;

/**
 * The node's side of the egress policy (packages/domain network/egress-policy.ts): what counts as
 * Hangar's own services on this host, and the check every browser's front proxy makes before it
 * connects anywhere. The policy is judged on the address the connection will use: a name is
 * resolved here once, each address checked, and the connection handed only the allowed ones
 * (`lookup` below), so a name cannot resolve to one address for the check and another for the
 * connect.
 *
 * Hangar's own, besides HANGAR_EGRESS_SERVICES: this node's CDP and ops ports, the NATS servers it
 * uses, and every port its browsers listen on (DevTools) or send through (their front proxies),
 * on any address of this host (loopback, unspecified, an interface's).
 */
@Injectable()
export class EgressGuard implements OnModuleInit, OnModuleDestroy {
  readonly policy: EgressPolicy;
  private readonly ownPorts = new Map<number, number>();
  private localAddresses = new Set<string>();
  private resolvedServices = new Set<string>();
  /** Ports of configured services that run on this host: denied on every address of it. */
  private localServicePorts = new Set<number>();
  private readonly serviceHosts: Array<{ host: string; port: number }>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly cdp: CdpProxy,
  ) {
    this.policy = config.egressPolicy;
    this.serviceHosts = [...this.policy.serviceHosts(), ...natsServers(config.natsUrl)];
  }

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    this.localAddresses = new Set(
      Object.values(os.networkInterfaces())
        .flat()
        .filter((i) => i !== undefined)
        .map((i) => canonicalAddress(i!.address)),
    );
    const resolved = new Set<string>();
    const localPorts = new Set<number>();
    for (const { host, port } of this.serviceHosts) {
      const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true }).catch(() => []);
      for (const { address } of addresses) {
        resolved.add(`${canonicalAddress(address)}|${port}`);
        if (this.isLocal(canonicalAddress(address))) localPorts.add(port);
      }
    }
    this.resolvedServices = resolved;
    this.localServicePorts = localPorts;
  }

  /** A port of this host's Hangar from now on (counted: two holders of one port both release it). */
  holdPort(port: number): void {
    this.ownPorts.set(port, (this.ownPorts.get(port) ?? 0) + 1);
  }

  releasePort(port: number): void {
    const n = (this.ownPorts.get(port) ?? 0) - 1;
    if (n > 0) this.ownPorts.set(port, n);
    else this.ownPorts.delete(port);
  }

  private isLocal(address: string): boolean {
    return /^(127\.|0\.)/.test(address) || address === '::1' || address === '::' || this.localAddresses.has(address);
  }

  private readonly ownService = (address: string, port: number): boolean => {
    if (this.resolvedServices.has(`${address}|${port}`)) return true;
    if (!this.isLocal(address)) return false;
    return this.ownPorts.has(port) || this.localServicePorts.has(port) || port === this.cdp.listeningPort || (this.config.opsPort !== undefined && port === this.config.opsPort);
  };

  verdict(host: string, address: string, port: number): EgressVerdict {
    return this.policy.verdict({ host, address, port }, this.ownService);
  }

  /**
   * Resolves `host`, keeps the addresses the policy allows for `port`, and answers the lookup the
   * connection must use; throws a 403 RequestError (the browser gets it as the answer, or a
   * failed tunnel) when none is allowed, or the name itself is denied.
   *
   * `ownDevtoolsPort`: the asking browser's own DevTools port, which it may reach on this host
   * whatever the policy says (every other browser's stays refused). Extensions drive their own
   * browser that way (Stagehand 4's does, from its service worker), as they could before the
   * proxy; web pages cannot, Chromium refuses their WebSocket `Origin`.
   */
  async admit(host: string, port: number, ownDevtoolsPort?: number): Promise<CheckedLookup> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const byName = isIP(bare) ? undefined : this.verdict(bare, bare, port);
    if (byName && !byName.allowed) throw denied(byName.why);
    let addresses: LookupAddress[];
    if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
    else {
      try {
        addresses = await lookup(bare, { all: true });
      } catch {
        throw new RequestError(`Hangar could not resolve ${bare}`, 502);
      }
    }
    const allowed: LookupAddress[] = [];
    let why = '';
    for (const entry of addresses) {
      if (port === ownDevtoolsPort && this.isLocal(canonicalAddress(entry.address))) {
        allowed.push(entry);
        continue;
      }
      const verdict = this.verdict(bare, entry.address, port);
      if (verdict.allowed) allowed.push(entry);
      else why ||= verdict.why;
    }
    if (allowed.length === 0) throw denied(why);
    return (_host, options, callback) => {
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
      if (all) callback(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    };
  }
}

function denied(why: string): RequestError {
  return new RequestError(`Hangar's egress policy refused this connection: ${why}`, 403);
}

/** host:port of each server in NATS_URL (nats://a:4222,nats://b:4222; 4222 when not given). */
function natsServers(natsUrl: string): Array<{ host: string; port: number }> {
  return natsUrl
    .split(',')
    .map((raw) => raw.trim())
    .filter(Boolean)
    .flatMap((raw) => {
      try {
        const url = new URL(raw.includes('://') ? raw : `nats://${raw}`);
        return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 4222) }];
      } catch {
        return [];
      }
    });
}
