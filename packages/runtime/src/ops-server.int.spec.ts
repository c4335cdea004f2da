import { nonLoopbackAddress } from '@hangar/testing';
import { startOpsServer, type OpsServer } from './ops-server.js';

// Kubernetes probes and Prometheus come from outside the pod's loopback: the bind address decides
// whether they get an answer at all.
describe('ops server bind address', () => {
  const servers: OpsServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const start = async (host?: string) => {
    const server = await startOpsServer({ port: 0, ...(host ? { host } : {}), service: 'test', ready: () => true });
    servers.push(server);
    return server;
  };

  it('answers on a non-loopback address when bound to 0.0.0.0', async () => {
    const { port } = await start('0.0.0.0');
    const base = `http://${nonLoopbackAddress()}:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // Node's default metrics, unprefixed, told apart by the service label.
    expect(metrics).toContain('process_cpu_user_seconds_total{service="test"}');
  });

  it('listens on loopback only by default', async () => {
    const { port } = await start();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await expect(fetch(`http://${nonLoopbackAddress()}:${port}/healthz`)).rejects.toThrow();
  });

  it('fails its start when the port is taken', async () => {
    const { port } = await start('0.0.0.0');
    await expect(startOpsServer({ port, host: '0.0.0.0', service: 'test', ready: () => true })).rejects.toThrow(/EADDRINUSE/);
  });
});
