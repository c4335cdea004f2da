import { freePort } from '@hangar/stack';
import { metricValue, nonLoopbackAddress } from '@hangar/testing';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

// What infra/k8s and compose configure: each service's ops server on every interface, probed from
// outside the process's loopback (a kubelet, Prometheus). Bound to 127.0.0.1, as before, none of
// these requests would get an answer.
describe('ops servers where probes reach', () => {
  let t: TestStack;
  const ports: Record<'scheduler' | 'projector' | 'browser-node', number> = { scheduler: 0, projector: 0, 'browser-node': 0 };
  const base = (service: keyof typeof ports) => `http://${nonLoopbackAddress()}:${ports[service]}`;

  beforeAll(async () => {
    for (const service of Object.keys(ports) as (keyof typeof ports)[]) ports[service] = await freePort('0.0.0.0');
    const ops = (service: keyof typeof ports) => ({ HANGAR_OPS_PORT: String(ports[service]), HANGAR_OPS_HOST: '0.0.0.0' });
    t = await startTestStack({ env: { scheduler: ops('scheduler'), projector: ops('projector'), 'browser-node': ops('browser-node') } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each(['scheduler', 'projector', 'browser-node'] as const)('%s answers /healthz, /readyz and /metrics on a non-loopback address', async (service) => {
    expect((await fetch(`${base(service)}/healthz`)).status).toBe(200);
    // The scheduler is ready once it has rebuilt its state; the stack waited for the node only.
    await eventually(() => fetch(`${base(service)}/readyz`).then((r) => r.status), (status) => status === 200);
    const metrics = await (await fetch(`${base(service)}/metrics`)).text();
    expect(metrics).toContain(`process_cpu_user_seconds_total{service="${service}"}`);
  });

  it('names metrics alike in every service: Node defaults unprefixed with a service label, Hangar metrics hangar_* with units', async () => {
    // A session through the gateway moves the projector's and the node's own metrics.
    const created = await api(t.stack, 'POST', '/v1/sessions', {});
    expect(created.status).toBe(201);
    expect((await api(t.stack, 'POST', `/v1/sessions/${created.body.id}`, { status: 'REQUEST_RELEASE' })).body.status).toBe('COMPLETED');
    const scrape = async (url: string) => (await fetch(url)).text();
    const gateway = await scrape(`${t.stack.apiUrl}/metrics`);
    expect(gateway).toContain('process_cpu_user_seconds_total{service="gateway"}');
    expect(gateway).not.toContain('hangar_gateway_process_');
    const projector = await eventually(
      () => scrape(`${base('projector')}/metrics`),
      (text) => (metricValue(text, 'hangar_projection_events_applied_total', { type: 'SessionEnded' }) ?? 0) >= 1,
    );
    expect(metricValue(projector, 'hangar_projection_lag_seconds_count')).toBeGreaterThan(0);
    const node = await eventually(
      () => scrape(`${base('browser-node')}/metrics`),
      (text) => (metricValue(text, 'hangar_node_teardowns_confirmed_total') ?? 0) >= 1,
    );
    const launches = ['warm', 'fresh'].map((kind) => metricValue(node, 'hangar_node_launches_total', { kind, service: 'browser-node' }) ?? 0);
    expect(launches[0]! + launches[1]!).toBe(1);
    expect(metricValue(node, 'hangar_node_sessions_running')).toBe(0);
    // Every Hangar metric of every service: hangar_ first, its unit (or _total) last.
    const names = [gateway, projector, node].flatMap((text) => [...text.matchAll(/^# TYPE (hangar_\w+) (\w+)$/gm)].map((m) => [m[1]!, m[2]!] as const));
    expect(names.length).toBeGreaterThan(8);
    for (const [name, type] of names) {
      const unit = type === 'counter' ? /_total$/ : type === 'histogram' ? /_(seconds|bytes)$/ : /^hangar_\w+$/;
      expect({ name, type, named: unit.test(name) }).toEqual({ name, type, named: true });
    }
  });
});
