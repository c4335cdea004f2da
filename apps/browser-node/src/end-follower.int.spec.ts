import path from 'node:path';
import { findNatsServer, startNatsServer, type RunningNats } from '@hangar/stack';
import { eventually } from '@hangar/testing';
import {
  processAlive,
  profileChromiumPids,
  requestSession,
  sessionChromiumPids,
  sessionEvents,
  sessionProfileDir,
  startHarness,
  startNode,
  startOnNode,
  stopOnNode,
  waitForEvent,
  watchHeartbeats,
  type Harness,
  type RunningNode,
} from './test/node-harness.js';
import { chromiumGone, connect, endAsScheduler, firstPage, profileGone, sleep, upgradeStatus, useNodeFixture } from './test/node-fixture.js';

const fx = useNodeFixture();
const { nodes, browsers, watches, launchNode } = fx;

describe('browser-node follows ends decided elsewhere', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await launchNode('node-follow');
  });

  async function startSession(keepAlive = true) {
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive });
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    expect(sessionChromiumPids(node.profilesRoot, sessionId)).toContain(data.pid);
    return { sessionId, endpoint: reply.value.endpoint!, pid: data.pid, profileDir: sessionProfileDir(node.profilesRoot, sessionId) };
  }

  /** The log holds the scheduler's end and nothing after it; the node holds nothing of the session. */
  async function expectOnlyTheForeignEnd(sessionId: string) {
    // Queued behind anything the node still does for the session (a closing client's detach).
    expect(await stopOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true, value: { status: 'ERROR', endReason: 'NODE_LOST' } });
    const events = await sessionEvents(fx.h, sessionId);
    expect(events.filter((e) => e.type === 'SessionEnded')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'SessionEnded', data: { status: 'ERROR', reason: 'NODE_LOST' } });
  }

  it('tears the browser down without appending when another actor ends a session it runs', async () => {
    const beats = watchHeartbeats(fx.h, node.nodeId);
    watches.push(beats);
    const { sessionId, endpoint, profileDir } = await startSession();
    const browser = await connect(endpoint);
    browsers.push(browser);
    await firstPage(browser);
    const cutOff = new Promise<void>((resolve) => browser.once('disconnected', () => resolve()));

    await endAsScheduler(fx.h.store, sessionId);

    await chromiumGone(profileDir);
    await profileGone(node.profilesRoot, sessionId);
    await cutOff;
    expect(await upgradeStatus(endpoint)).toBe(404);
    await beats.next((b) => b.running === 0);
    await expectOnlyTheForeignEnd(sessionId);
  });

  it('after being frozen past the lost threshold (SIGSTOP), tears down the session the scheduler ended meanwhile', async () => {
    const { sessionId, pid, profileDir } = await startSession();
    const nodePid = node.service.process.pid!;

    process.kill(nodePid, 'SIGSTOP');
    try {
      await endAsScheduler(fx.h.store, sessionId);
      await sleep(3_500); // the scheduler's lost threshold is 3 s
      // Nothing but its node tears a browser down: it runs on while the node is frozen.
      expect(processAlive(pid)).toBe(true);
    } finally {
      process.kill(nodePid, 'SIGCONT');
    }

    await chromiumGone(profileDir);
    await profileGone(node.profilesRoot, sessionId);
    await expectOnlyTheForeignEnd(sessionId);
  });
});

describe('browser-node reconnecting to NATS', () => {
  let h2: Harness;
  let restarted: RunningNats | undefined;
  let node: RunningNode | undefined;
  beforeAll(async () => {
    h2 = await startHarness();
  });
  afterAll(async () => {
    await node?.service.stop('SIGTERM', 10_000);
    await restarted?.stop();
    await h2?.close();
  });

  it('asks the log after a reconnect, and tears down a session that ended while it could not hear', async () => {
    node = await startNode(h2, 'node-reconnect');
    nodes.push(node);
    const sessionId = await requestSession(h2, node.nodeId, { keepAlive: true });
    expect(await startOnNode(h2, node.nodeId, sessionId)).toMatchObject({ ok: true });
    const { data } = await waitForEvent(h2, sessionId, 'SessionStarted');
    const profileDir = sessionProfileDir(node.profilesRoot, sessionId);
    expect(profileChromiumPids(profileDir)).toContain(data.pid);
    const nodePid = node.service.process.pid!;

    // Frozen while NATS restarts, the node misses the end's live publication for certain.
    process.kill(nodePid, 'SIGSTOP');
    try {
      await h2.nats.server.stop();
      restarted = await startNatsServer({ binary: findNatsServer()!, dataDir: path.join(h2.dir, 'nats'), port: h2.nats.server.port });
      await eventually(() => endAsScheduler(h2.store, sessionId), () => true, 15_000, 100);
      expect(processAlive(data.pid)).toBe(true);
    } finally {
      process.kill(nodePid, 'SIGCONT');
    }

    await chromiumGone(profileDir);
    await profileGone(node.profilesRoot, sessionId);
    // Torn down by the follower (normally its after-reconnect check; on a loaded machine the
    // reconnect can also land before the end is published, and the live event does it).
    // (The line is written after the teardown it reports, and reaches this process through a pipe.)
    await eventually(() => node!.logs.some((l) => l.includes('session ended elsewhere')), (logged) => logged, 5_000);
    const events = await sessionEvents(h2, sessionId);
    expect(events.filter((e) => e.type === 'SessionEnded')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'SessionEnded', data: { reason: 'NODE_LOST' } });
  });
});
