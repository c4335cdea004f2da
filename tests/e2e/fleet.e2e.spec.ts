import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { nodeHeartbeatMessage, subjects } from '@hangar/contracts';
import { api, chromiumProcesses, eventually, startTestStack, type TestStack } from './harness.js';

// Several browser-nodes and two schedulers, failures injected for real: kill -9, SIGSTOP,
// a Chromium killed under a session. Liveness runs on the production thresholds (1 s heartbeats,
// lost after 3 s); only the session timeout clock is shortened.
// The session's last event of its life: SessionArtifactStored (its downloads, logs and recording
// stored) may follow SessionEnded and says nothing about how it ended.
async function lastLifeEvent(t: TestStack, sessionId: string) {
  const events = await t.stack.store.read(`hangar.evt.session.${sessionId}`);
  return events.filter(({ event }) => event.type !== 'SessionArtifactStored').at(-1)!.event;
}

describe('a fleet of nodes under failure', () => {
  let t: TestStack;
  let bb: Browserbase;

  beforeAll(async () => {
    t = await startTestStack({
      concurrency: 5,
      nodes: 3,
      schedulers: 2,
      labelEnv: { 'browser-node-3': { HANGAR_REGION: 'eu-central-1' } },
      // Info level for schedulers: the test finds the leader by its "leader lease acquired" line.
      // A create in flight to a leader at the instant it dies is lost with it (core NATS
      // request/reply) and answered 503 at the gateway's command deadline: shortened here.
      env: { scheduler: { LOG_LEVEL: 'info' }, gateway: { HANGAR_COMMAND_TIMEOUT_MS: '4000' } },
    });
  });

  // Each test gets its own project, so a failing test's sessions cannot eat the next one's slots.
  let projectId: string;
  let apiKey: string;
  beforeEach(async () => {
    ({ projectId, apiKey } = await t.stack.seedProject({ concurrency: 5 }));
    bb = new Browserbase({ apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const pidOf = (label: string) => t.stack.services.get(label)!.process.pid!;
  const release = (id: string) => bb.sessions.update(id, { status: 'REQUEST_RELEASE' });
  const nodeOf = async (id: string) => (await t.stack.store.read(`hangar.evt.session.${id}`)).map((e) => e.event).find((e) => e.type === 'SessionScheduled')!.data as { nodeId: string };

  /** Resolves once each of `nodeIds` has reported a warm browser ready (placement prefers those). */
  async function warmOn(nodeIds: string[], timeoutMs = 30_000): Promise<void> {
    const ready = new Set<string>();
    const sub = t.stack.nc.subscribe(subjects.allNodeHeartbeats);
    const deadline = setTimeout(() => sub.unsubscribe(), timeoutMs);
    try {
      for await (const msg of sub) {
        const hb = nodeHeartbeatMessage.parse(msg.json());
        if (hb.warmSlots > 0) ready.add(hb.nodeId);
        if (nodeIds.every((id) => ready.has(id))) return;
      }
      throw new Error(`no warm browser reported within ${timeoutMs} ms by ${nodeIds.filter((id) => !ready.has(id)).join(', ')}`);
    } finally {
      clearTimeout(deadline);
      sub.unsubscribe();
    }
  }

  it('spreads sessions over the least-loaded nodes of the requested region', async () => {
    // Right after the start a pool may still be filling, and a node with a warm browser is
    // preferred to a less loaded one without: wait until both west nodes have one.
    await warmOn(['node-1', 'node-2']);
    const west = [await bb.sessions.create({ projectId, keepAlive: true }), await bb.sessions.create({ projectId, keepAlive: true })];
    const westNodes = new Set(await Promise.all(west.map(async (s) => (await nodeOf(s.id)).nodeId)));
    expect(westNodes).toEqual(new Set(['node-1', 'node-2']));
    const eu = await bb.sessions.create({ projectId, keepAlive: true, region: 'eu-central-1' });
    expect((await nodeOf(eu.id)).nodeId).toBe('node-3');
    const nowhere = await api(t.stack, 'POST', '/v1/sessions', { region: 'ap-southeast-1' }, apiKey);
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.message).toMatch(/region/);
    for (const s of [...west, eu]) await release(s.id);
  });

  it('ends the session of a killed Chromium as ERROR / BROWSER_CRASHED and leaves its neighbours alone', async () => {
    const victim = await bb.sessions.create({ projectId, keepAlive: true });
    const neighbour = await bb.sessions.create({ projectId, keepAlive: true });
    const started = (await t.stack.store.read(`hangar.evt.session.${victim.id}`)).map((e) => e.event).find((e) => e.type === 'SessionStarted')!;
    process.kill(-(started.data as { pid: number }).pid, 'SIGKILL');
    const ended = await eventually(() => bb.sessions.retrieve(victim.id), (s) => s.status !== 'RUNNING', 5_000);
    expect(ended.status).toBe('ERROR');
    expect((await lastLifeEvent(t, victim.id))).toMatchObject({ type: 'SessionEnded', data: { reason: 'BROWSER_CRASHED' } });
    const browser = await puppeteer.connect({ browserWSEndpoint: neighbour.connectUrl });
    expect((await browser.pages()).length).toBeGreaterThan(0);
    await browser.disconnect();
    await release(neighbour.id);
  });

  it('declares a frozen node lost: its sessions end ERROR / NODE_LOST, clients are cut, and its browsers go when it wakes', async () => {
    const sessions = [];
    for (let i = 0; i < 2; i++) sessions.push(await bb.sessions.create({ projectId, keepAlive: true }));
    const onNode1 = [];
    for (const s of sessions) if ((await nodeOf(s.id)).nodeId === 'node-1') onNode1.push(s);
    // Make sure at least one session lives on node-1.
    while (onNode1.length === 0) {
      const s = await bb.sessions.create({ projectId, keepAlive: true });
      sessions.push(s);
      if ((await nodeOf(s.id)).nodeId === 'node-1') onNode1.push(s);
    }
    const victim = onNode1[0]!;
    const client = await puppeteer.connect({ browserWSEndpoint: victim.connectUrl });
    const cut = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
    const nodePid = pidOf('browser-node-1');
    const frozenAt = Date.now();
    process.kill(nodePid, 'SIGSTOP');
    try {
      const ended = await eventually(() => bb.sessions.retrieve(victim.id), (s) => s.status !== 'RUNNING', 12_000, 100);
      expect(ended.status).toBe('ERROR');
      expect(Date.now() - frozenAt).toBeLessThan(10_000);
      const last = (await lastLifeEvent(t, victim.id));
      expect(last).toMatchObject({ type: 'SessionEnded', data: { status: 'ERROR', reason: 'NODE_LOST' } });
      await withDeadline(cut, 5_000, 'the client was not disconnected');
      // The slot is free again: a new session is placed (on a live node).
      const replacement = await bb.sessions.create({ projectId, keepAlive: true });
      expect((await nodeOf(replacement.id)).nodeId).not.toBe('node-1');
      sessions.push(replacement);
    } finally {
      process.kill(nodePid, 'SIGCONT');
    }
    // Awake again, the node tears down the browsers whose sessions ended without it.
    const profiles = `${t.dataDir}/nodes/node-1/profiles/${victim.id}`;
    await eventually(() => chromiumProcesses(profiles).length, (n) => n === 0, 10_000);
    for (const s of sessions) await release(s.id).catch(() => undefined);
  });

  it('ends the sessions of a kill -9ed node that does not come back, then sweeps its browsers when it does', async () => {
    const sessions: { id: string; connectUrl: string; node: string }[] = [];
    while (!sessions.some((s) => s.node === 'node-2')) {
      const s = await bb.sessions.create({ projectId, keepAlive: true });
      sessions.push({ ...s, node: (await nodeOf(s.id)).nodeId });
    }
    const victim = sessions.find((s) => s.node === 'node-2')!;
    const client = await puppeteer.connect({ browserWSEndpoint: victim.connectUrl });
    const cut = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
    const killedAt = Date.now();
    await t.stack.services.get('browser-node-2')!.stop('SIGKILL');
    // Its spliced sockets die with it: the client is cut at once.
    await withDeadline(cut, 5_000, 'the client was not disconnected');
    const ended = await eventually(() => bb.sessions.retrieve(victim.id), (s) => s.status !== 'RUNNING', 12_000, 100);
    expect(ended.status).toBe('ERROR');
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect((await lastLifeEvent(t, victim.id))).toMatchObject({ data: { reason: 'NODE_LOST' } });
    // Its Chromium trees (sessions' and warm ones) outlived it (own process groups); the node's next
    // start kills them. The restarted node then fills a new warm pool: only the old trees must go.
    const orphans = chromiumProcesses(`${t.dataDir}/nodes/node-2/`);
    expect(orphans.length).toBeGreaterThan(0);
    t.stack.startService('browser-node-2');
    await eventually(() => chromiumProcesses(`${t.dataDir}/nodes/node-2/`).filter((pid) => orphans.includes(pid)), (left) => left.length === 0, 15_000);
    for (const s of sessions) await release(s.id).catch(() => undefined);
  });

  it('drains a node: nothing new is placed on it, its session finishes, then it leaves', async () => {
    // Both us-west-2 nodes up (node-2 may still be coming back from the previous test).
    const ready = (r: { body: { id: string; state: string }[] }) => ['node-1', 'node-2'].every((id) => r.body.find?.((n) => n.id === id)?.state === 'ready');
    await eventually(() => api(t.stack, 'GET', '/v1/nodes', undefined, apiKey), ready, 15_000);
    let onNode1;
    const others = [];
    while (!onNode1) {
      const s = await bb.sessions.create({ projectId, keepAlive: true });
      if ((await nodeOf(s.id)).nodeId === 'node-1') onNode1 = s;
      else others.push(s);
    }
    const node1 = t.stack.services.get('browser-node-1')!;
    process.kill(node1.process.pid!, 'SIGUSR2');
    await eventually(() => api(t.stack, 'GET', '/v1/nodes', undefined, apiKey), (r) => r.body.find?.((n: { id: string }) => n.id === 'node-1')?.state === 'draining');
    for (let i = 0; i < 2; i++) {
      const s = await bb.sessions.create({ projectId, keepAlive: true });
      expect((await nodeOf(s.id)).nodeId).not.toBe('node-1');
      others.push(s);
    }
    expect((await bb.sessions.retrieve(onNode1.id)).status).toBe('RUNNING');
    await release(onNode1.id);
    expect(await withDeadline(node1.exited, 10_000, 'the drained node did not exit')).toBe(0);
    for (const s of others) await release(s.id);
    t.stack.startService('browser-node-1');
    await eventually(() => api(t.stack, 'GET', '/v1/nodes', undefined, apiKey), (r) => r.body.find?.((n: { id: string }) => n.id === 'node-1')?.state === 'ready', 15_000);
  });

  it('fails over to the standby scheduler after kill -9 of the leader, losing nothing and admitting no more than the limit', async () => {
    const keep = await bb.sessions.create({ projectId, keepAlive: true, api_timeout: 21600 });
    const holders = await Promise.all(Array.from({ length: 3 }, () => bb.sessions.create({ projectId, keepAlive: true })));
    // 4 of 5 slots in use. Kill whichever scheduler leads (it is the one answering status).
    const leader = leaderLabel(t);
    const killedAt = Date.now();
    process.kill(pidOf(leader), 'SIGKILL');
    // Hammer creates through the switch: each is 201, 429 or a retryable 503, never more than one 201.
    const outcomes: number[] = [];
    while (Date.now() - killedAt < 20_000 && !outcomes.includes(429)) {
      const res = await api(t.stack, 'POST', '/v1/sessions', { keepAlive: true }, apiKey);
      outcomes.push(res.status);
      if (res.status === 201) holders.push(res.body);
      // On failure, the answer and the schedulers' last lines say why.
      if (res.status !== 201 && res.status !== 429) {
        expect({ status: res.status, body: res.body, schedulers: t.logs.filter((l) => l.startsWith('[scheduler')).slice(-30) }).toMatchObject({ status: 503 });
      }
    }
    expect(`${outcomes.filter((s) => s === 201).length} created of ${outcomes.join(',')}`).toMatch(/^1 created/);
    expect(outcomes).toContain(429);
    // The standby took the lease within 5 s of the kill.
    const takeover = t.logs
      .filter((l) => l.includes('leader lease acquired'))
      .map((l) => Date.parse(JSON.parse(l.slice(l.indexOf('{'))).time))
      .find((at) => at >= killedAt);
    expect(takeover).toBeDefined();
    expect(takeover! - killedAt).toBeLessThan(5_000);
    // The session that lived through the switch is still there, still running.
    expect((await bb.sessions.retrieve(keep.id)).status).toBe('RUNNING');
    for (const s of [keep, ...holders]) await release(s.id);
  });

  it('admits exactly the limit of 50 simultaneous creates', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => api(t.stack, 'POST', '/v1/sessions', { keepAlive: true }, apiKey)));
    const created = results.filter((r) => r.status === 201);
    expect(results.map((r) => r.status).sort().join(',')).toBe([...Array(5).fill(201), ...Array(45).fill(429)].join(','));
    expect(results.filter((r) => r.status === 429)).toHaveLength(45);
    for (const r of created) await release(r.body.id);
  });
});

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))]);
}

/** The scheduler that most recently logged taking the lease (the stack prefixes each line). */
function leaderLabel(t: TestStack): string {
  const line = [...t.logs].reverse().find((l) => /^\[scheduler-\d\] .*leader lease acquired/.test(l));
  if (!line) throw new Error('no scheduler leads');
  return line.slice(1, line.indexOf(']'));
}
