// The manifests an operator applies: valid against the Kubernetes API's schema, and consistent with
// what the services read and with each other (ports, labels, secrets, the NATS cluster's shape).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadManifests, schemaErrors, unknownFieldErrors, type Manifest } from './kubernetes-schema.js';

const dir = path.resolve('infra/k8s');
const manifests = loadManifests(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)));
const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Probe = { httpGet?: { path: string; port: number | string }; exec?: { command: string[] } };
type Container = {
  name: string; image: string; command?: string[]; env?: Env[]; envFrom?: unknown[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { capabilities?: { add?: string[] }; seccompProfile?: { type: string } };
};
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number; shareProcessNamespace?: boolean };
type Workload = Manifest['object'] & { spec: { replicas?: number; serviceName?: string; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };

const objects = (kind: string) => manifests.filter((m) => m.object.kind === kind).map((m) => m.object);
const workloads = [...objects('Deployment'), ...objects('StatefulSet'), ...objects('Job')] as Workload[];
const byName = (name: string) => workloads.find((w) => w.metadata.name === name)!;
const container = (name: string) => byName(name).spec.template.spec.containers[0]!;
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
const portNumber = (c: Container, port: number | string) => (typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort);
const podLabels = workloads.map((w) => w.spec.template.metadata.labels);

describe('infra/k8s manifests', () => {
  it('are valid against the Kubernetes schema', async () => {
    expect(await schemaErrors(manifests)).toEqual([]);
  });

  it('use no field the API does not know', () => {
    expect(unknownFieldErrors(manifests)).toEqual([]);
  });

  it('probe every long-running container, on a port it declares', () => {
    for (const w of workloads.filter((w) => w.kind !== 'Job')) {
      for (const c of w.spec.template.spec.containers) {
        for (const probe of [c.readinessProbe, c.livenessProbe]) {
          expect(probe).toBeDefined();
          if (probe?.httpGet) expect(portNumber(c, probe.httpGet.port)).toBeDefined();
        }
      }
    }
  });

  it('bind each ops server where the kubelet reaches it, on the port its probes use', () => {
    for (const [name, port] of [['scheduler', 9101], ['projector', 9102], ['browser-node', 9103]] as const) {
      const c = container(name);
      expect([envOf(c, 'HANGAR_OPS_HOST'), envOf(c, 'HANGAR_OPS_PORT')]).toEqual(['0.0.0.0', String(port)]);
      expect(portNumber(c, c.readinessProbe!.httpGet!.port)).toBe(port);
    }
    expect(portNumber(container('gateway'), container('gateway').readinessProbe!.httpGet!.port)).toBe(Number(envOf(container('gateway'), 'HANGAR_PORT')));
  });

  it('give every container requests and a memory limit; a browser-node the limits it sizes itself by', () => {
    for (const c of workloads.flatMap((w) => w.spec.template.spec.containers)) {
      const has = { cpu: expect.any(String), memory: expect.any(String) };
      expect({ name: c.name, ...c.resources }).toEqual(expect.objectContaining({ name: c.name, requests: expect.objectContaining(has), limits: expect.objectContaining({ memory: expect.any(String) }) }));
    }
    const node = container('browser-node').resources!;
    expect([node.limits!.cpu, node.limits!.memory]).toEqual([node.requests!.cpu, node.requests!.memory]);
  });

  it('drain a browser-node before it stops, within its grace period', () => {
    const pod = byName('browser-node').spec.template.spec;
    const hook = pod.containers[0]!.lifecycle!.preStop!.exec!.command.join(' ');
    expect(hook).toMatch(/kill -USR2 1\b/);
    // The hook gives up this long after the drain began, leaving the rest of the grace period to SIGTERM.
    const waitSeconds = Number(/\$t -lt (\d+)/.exec(hook)?.[1]);
    expect(pod.terminationGracePeriodSeconds! - waitSeconds).toBeGreaterThanOrEqual(30);
    expect(container('browser-node').securityContext!.capabilities!.add).toContain('SYS_NICE');
  });

  it('keep an init as PID 1: our images run dumb-init, the others share the pod sandbox`s pause', () => {
    for (const w of workloads) {
      const { containers, shareProcessNamespace } = w.spec.template.spec;
      for (const c of containers) {
        if (c.image.startsWith('hangar/')) expect([w.metadata.name, c.command]).toEqual([w.metadata.name, undefined]);
        else expect([w.metadata.name, shareProcessNamespace]).toEqual([w.metadata.name, true]);
      }
    }
  });

  it('meet the restricted Pod Security level everywhere but the browser-node (its README table says why)', () => {
    type Pod = PodSpec & { securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } } };
    type Hardened = Container & { securityContext?: { allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } } };
    for (const w of workloads.filter((w) => w.metadata.name !== 'browser-node')) {
      const pod = w.spec.template.spec as Pod;
      expect([w.metadata.name, pod.securityContext?.runAsNonRoot, pod.securityContext?.seccompProfile?.type]).toEqual([w.metadata.name, true, 'RuntimeDefault']);
      for (const c of pod.containers as Hardened[]) {
        expect([c.name, c.securityContext?.allowPrivilegeEscalation, c.securityContext?.capabilities?.drop]).toEqual([c.name, false, ['ALL']]);
      }
    }
  });

  it('select existing pods in every disruption budget and network policy', () => {
    const matches = (selector: Record<string, string>) => podLabels.some((l) => Object.entries(selector).every(([k, v]) => l[k] === v));
    for (const pdb of objects('PodDisruptionBudget') as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }[]) {
      expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
    }
    const yaml = JSON.stringify(objects('NetworkPolicy'));
    for (const [, app] of yaml.matchAll(/"app":"([^"]+)"/g)) expect(podLabels.map((l) => l.app)).toContain(app);
    for (const [, list] of yaml.matchAll(/"values":\[([^\]]+)\]/g)) {
      for (const app of JSON.parse(`[${list}]`) as string[]) expect(podLabels.map((l) => l.app)).toContain(app);
    }
  });

  it('let only gateways reach a browser-node, and never a browser-node reach Postgres', () => {
    type Rule = { from?: { podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { values: string[] }[] } }[]; ports?: { port: number }[] };
    const policy = (name: string) => (objects('NetworkPolicy').find((p) => p.metadata.name === name) as unknown as { spec: { ingress: Rule[] } }).spec;
    expect(policy('browser-node-ingress').ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'gateway' } } }], ports: [{ port: 9400, protocol: 'TCP' }] }]);
    const postgresClients = policy('postgres-ingress').ingress.flatMap((r) => r.from ?? []).flatMap((f) => f.podSelector?.matchExpressions?.[0]?.values ?? []);
    expect(postgresClients).not.toContain('browser-node');
    expect(postgresClients).not.toContain('scheduler');
  });

  it('run NATS as the three-server JetStream cluster of infra/nats/cluster.conf, fsyncing every write', () => {
    const nats = byName('nats');
    const conf = (objects('ConfigMap').find((c) => c.metadata.name === 'nats-config') as unknown as { data: Record<string, string> }).data['nats.conf']!;
    expect(nats.spec.replicas).toBe(3);
    expect(conf).toMatch(/^\s*sync_interval: always$/m);
    expect(readFileSync('infra/nats/cluster.conf', 'utf8')).toMatch(/^\s*sync_interval: always$/m);
    const routes = [...conf.matchAll(/nats-route:\/\/([^:\s]+):6222/g)].map((r) => r[1]);
    expect(routes).toEqual([0, 1, 2].map((k) => `nats-${k}.${nats.spec.serviceName}`));
    for (const c of workloads.filter((w) => w.metadata.name !== 'nats' && w.metadata.name !== 'postgres' && w.metadata.name !== 'hangar-migrate').map((w) => w.spec.template.spec.containers[0]!)) {
      expect([c.name, envOf(c, 'HANGAR_STREAM_REPLICAS')]).toEqual([c.name, '3']);
    }
  });

  it('name in the README every key the manifests read from the hangar secret', () => {
    const keys = new Set(workloads.flatMap((w) => w.spec.template.spec.containers).flatMap((c) => c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef?.name === 'hangar' ? [e.valueFrom.secretKeyRef.key] : [])));
    for (const key of keys) expect([key, readme.includes(`--from-literal=${key}=`)]).toEqual([key, true]);
  });
});
