import { eventually, metricValue, nonLoopbackAddress } from '@hangar/testing';
import { useNodeFixture } from './test/node-fixture.js';
import { requestSession, startOnNode, stopOnNode } from './test/node-harness.js';

/**
 * A node with its ops server on every interface, probed the way a kubelet or Prometheus would:
 * from outside loopback. Port 0 and the port the node logs: a port picked beforehand could be
 * taken by another test's server before the node binds it.
 */
async function launchWithOps(fx: ReturnType<typeof useNodeFixture>, nodeId: string, env: Record<string, string> = {}) {
  const node = await fx.launchNode(nodeId, { HANGAR_OPS_PORT: '0', HANGAR_OPS_HOST: '0.0.0.0', ...env });
  const listening = await eventually(
    () => node.logs.map((line) => /"port":(\d+).*"msg":"ops server listening"/.exec(line)?.[1]).find(Boolean),
    (port) => port !== undefined,
    5_000,
  );
  const base = `http://${nonLoopbackAddress()}:${listening}`;
  return { node, base, metrics: () => fetch(`${base}/metrics`).then((r) => r.text()) };
}

const value = (text: string, name: string, labels?: Record<string, string>) => metricValue(text, name, labels) ?? 0;

describe('browser-node ops server', () => {
  const fx = useNodeFixture();

  it('answers on a non-loopback bind; its metrics follow a warm and a fresh session from start to teardown', async () => {
    const { base, metrics } = await launchWithOps(fx, 'ops-1', { HANGAR_WARM_POOL: '1' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Ready once it has announced itself (the fixture waited for its first heartbeat).
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const idle = await eventually(metrics, (t) => value(t, 'hangar_node_warm_slots') === 1, 15_000);
    // The names every service shares: Node's own unprefixed with the service label, Hangar's hangar_*.
    expect(idle).toContain('process_cpu_user_seconds_total{service="browser-node"}');
    expect(value(idle, 'hangar_node_sessions_running')).toBe(0);

    const warmId = await requestSession(fx.h, 'ops-1');
    expect(await startOnNode(fx.h, 'ops-1', warmId)).toMatchObject({ ok: true });
    const warmRunning = await metrics();
    expect(value(warmRunning, 'hangar_node_sessions_running')).toBe(1);
    expect(value(warmRunning, 'hangar_node_launches_total', { kind: 'warm' })).toBe(1);
    expect(value(warmRunning, 'hangar_node_launch_duration_seconds_count', { kind: 'warm' })).toBe(1);

    // A setting that changes the command line needs its own launch: a fresh one.
    const freshId = await requestSession(fx.h, 'ops-1', { browserSettings: { ignoreCertificateErrors: false } });
    expect(await startOnNode(fx.h, 'ops-1', freshId)).toMatchObject({ ok: true });
    const bothRunning = await metrics();
    expect(value(bothRunning, 'hangar_node_sessions_running')).toBe(2);
    expect(value(bothRunning, 'hangar_node_launches_total', { kind: 'fresh' })).toBe(1);
    expect(value(bothRunning, 'hangar_node_launch_duration_seconds_count', { kind: 'fresh' })).toBe(1);
    expect(value(bothRunning, 'hangar_node_launches_total', { kind: 'failed' })).toBe(0);

    const confirmedBefore = value(bothRunning, 'hangar_node_teardowns_confirmed_total');
    for (const id of [warmId, freshId]) expect(await stopOnNode(fx.h, 'ops-1', id)).toMatchObject({ ok: true });
    // Confirmation follows SessionEnded (the group is polled until gone), so it is waited for.
    const ended = await eventually(metrics, (t) => value(t, 'hangar_node_teardowns_confirmed_total') === confirmedBefore + 2, 10_000);
    expect(value(ended, 'hangar_node_sessions_running')).toBe(0);
  });

  it('counts a failed launch', async () => {
    const { metrics } = await launchWithOps(fx, 'ops-2', { HANGAR_WARM_POOL: '0', CHROME_PATH: '/bin/false' });
    const sessionId = await requestSession(fx.h, 'ops-2');
    expect(await startOnNode(fx.h, 'ops-2', sessionId)).toMatchObject({ ok: false, error: { code: 'LAUNCH_FAILED' } });
    const after = await metrics();
    expect(value(after, 'hangar_node_launches_total', { kind: 'failed' })).toBe(1);
    expect(value(after, 'hangar_node_sessions_running')).toBe(0);
  });

  it('counts the Chromium processes its start-up sweep kills after a SIGKILL', async () => {
    const first = await launchWithOps(fx, 'ops-3', { HANGAR_WARM_POOL: '0' });
    const sessionId = await requestSession(fx.h, 'ops-3', { keepAlive: true });
    expect(await startOnNode(fx.h, 'ops-3', sessionId)).toMatchObject({ ok: true });
    expect(value(await first.metrics(), 'hangar_node_orphans_killed_total')).toBe(0);
    await first.node.service.stop('SIGKILL');

    const second = await launchWithOps(fx, 'ops-3', { HANGAR_WARM_POOL: '0' });
    // A browser and its helpers: at least one process.
    expect(value(await second.metrics(), 'hangar_node_orphans_killed_total')).toBeGreaterThan(0);
  });
});
