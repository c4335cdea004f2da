import { canonicalAddress, EgressPolicy, parseEgressList } from './egress-policy.js';

const at = (host: string, address: string, port = 80) => ({ host, address, port });

describe('the egress policy', () => {
  const open = new EgressPolicy();

  it('denies link-local and cloud metadata by default, by address and by name, IPv4-mapped IPv6 included', () => {
    for (const target of [
      at('169.254.169.254', '169.254.169.254'),
      at('metadata', '169.254.10.1', 8080),
      at('x', '::ffff:169.254.169.254'),
      at('x', 'fd00:ec2::254'),
      at('x', 'fe80::1'),
      at('x', '100.100.100.200'),
      at('metadata.google.internal', '10.1.2.3'),
    ]) {
      expect(open.verdict(target)).toEqual({ allowed: false, why: expect.stringMatching(/link-local or cloud-metadata/) });
    }
  });

  it('allows the rest by default: loopback, private ranges and the internet (npm start develops against them)', () => {
    for (const target of [at('localhost', '127.0.0.1', 8080), at('x', '10.0.0.5'), at('x', '192.168.1.1'), at('example.com', '93.184.216.34', 443), at('x', '::1')]) {
      expect(open.verdict(target)).toEqual({ allowed: true });
    }
  });

  it('judges the address a name resolved to, not the name (DNS rebinding)', () => {
    const policy = new EgressPolicy({ deny: 'loopback' });
    expect(policy.verdict(at('innocent.example', '127.0.0.1', 3000)).allowed).toBe(false);
    expect(policy.verdict(at('innocent.example', '0.0.0.0', 3000)).allowed).toBe(false);
  });

  it('HANGAR_EGRESS_DENY and HANGAR_EGRESS_ALLOW: allow wins over deny and the built-in rules', () => {
    const policy = new EgressPolicy({ deny: 'private,loopback,.corp.example,203.0.113.0/24:22', allow: '10.1.2.3,[fd00:ec2::254]:80' });
    expect(policy.verdict(at('x', '10.9.9.9')).allowed).toBe(false);
    expect(policy.verdict(at('x', '10.1.2.3')).allowed).toBe(true);
    expect(policy.verdict(at('db.corp.example', '8.8.8.8')).allowed).toBe(false);
    expect(policy.verdict(at('corp.example', '8.8.8.8')).allowed).toBe(false);
    expect(policy.verdict(at('x', '203.0.113.9', 22)).allowed).toBe(false);
    expect(policy.verdict(at('x', '203.0.113.9', 443)).allowed).toBe(true);
    expect(policy.verdict(at('x', 'fd00:ec2::254', 80)).allowed).toBe(true);
    expect(policy.verdict(at('x', 'fd00:ec2::254', 81)).allowed).toBe(false);
    expect(policy.verdict(at('x', '127.0.0.1')).allowed).toBe(false);
  });

  it("Hangar's own services are denied whatever the allow list says", () => {
    const policy = new EgressPolicy({ allow: 'loopback,private', services: '127.0.0.1:4222,nats:4222' });
    expect(policy.verdict(at('127.0.0.1', '127.0.0.1', 4222))).toEqual({ allowed: false, why: expect.stringMatching(/Hangar's own services/) });
    expect(policy.verdict(at('nats', '10.0.0.7', 4222)).allowed).toBe(false);
    expect(policy.verdict(at('127.0.0.1', '127.0.0.1', 4223)).allowed).toBe(true);
    const own = (address: string, port: number) => address === '127.0.0.1' && port === 9222;
    expect(policy.verdict(at('localhost', '::ffff:127.0.0.1', 9222), own).allowed).toBe(false);
  });

  it('names the variable and the entry it cannot read', () => {
    expect(() => new EgressPolicy({ deny: '10.0.0.0/33' })).toThrow(/HANGAR_EGRESS_DENY: cannot read "10.0.0.0\/33"/);
    expect(() => new EgressPolicy({ allow: 'a b' })).toThrow(/HANGAR_EGRESS_ALLOW/);
    expect(() => new EgressPolicy({ deny: 'host:99999' })).toThrow(/HANGAR_EGRESS_DENY/);
    expect(() => new EgressPolicy({ services: 'nats' })).toThrow(/every entry needs its :port/);
    expect(parseEgressList(' , ', 'X')).toEqual([]);
    expect(canonicalAddress('[::FFFF:10.0.0.1]')).toBe('10.0.0.1');
  });
});
