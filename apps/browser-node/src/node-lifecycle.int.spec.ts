import { subjects, type NodeEvent } from '@hangar/contracts';
import { eventually } from '@hangar/testing';
import { chromiumPids, drainOnNode, processAlive, requestSession, sessionEvents, startOnNode, stopOnNode, waitForEvent } from './test/node-harness.js';
import { connect, firstPage, nodeEvents, profileGone, useNodeFixture } from './test/node-fixture.js';

const fx = useNodeFixture();
const { browsers, launchNode, watch } = fx;

describe('browser-node lifecycle', () => {
  it('refuses past its capacity and, on SIGTERM, ends its sessions NODE_SHUTDOWN and leaves', async () => {
    const node = await launchNode('node-cap', { HANGAR_MAX_SESSIONS: '1' });
    const s1 = await requestSession(fx.h, node.nodeId);
    const s2 = await requestSession(fx.h, node.nodeId);
    expect(await startOnNode(fx.h, node.nodeId, s1)).toMatchObject({ ok: true });
    expect(await startOnNode(fx.h, node.nodeId, s2)).toMatchObject({ ok: false, error: { code: 'NO_CAPACITY' } });
    const { data } = await waitForEvent(fx.h, s1, 'SessionStarted');

    await node.service.stop('SIGTERM', 15_000);

    expect(await node.service.exited).toBe(0);
    expect(processAlive(data.pid)).toBe(false);
    expect((await waitForEvent(fx.h, s1, 'SessionEnded')).data).toMatchObject({ status: 'ERROR', reason: 'NODE_SHUTDOWN' });
    const nodeEvents = (await fx.h.store.read(subjects.nodeEvents(node.nodeId))).map((e) => e.event as NodeEvent);
    expect(nodeEvents.map((e) => e.type)).toEqual(['NodeJoined', 'NodeLeft']);
    expect(nodeEvents[0]!.data).toMatchObject({ region: 'us-west-2', maxSessions: 1, endpoint: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) });
    expect(nodeEvents[1]!.data).toMatchObject({ reason: 'SHUTDOWN' });
  });

  it('answers LAUNCH_FAILED when Chromium does not come up', async () => {
    const node = await launchNode('node-bad', { CHROME_PATH: '/bin/false' });
    const sessionId = await requestSession(fx.h, node.nodeId);

    const reply = await startOnNode(fx.h, node.nodeId, sessionId);

    expect(reply).toMatchObject({ ok: false, error: { code: 'LAUNCH_FAILED' } });
    await profileGone(node.profilesRoot, sessionId);
    expect((await sessionEvents(fx.h, sessionId)).map((e) => e.type)).toEqual(['SessionRequested', 'SessionScheduled']);
  });

  it('after a SIGKILL, the restarted node kills the orphaned Chromium and ends its sessions NODE_RESTARTED', async () => {
    // No pool: this test counts the processes exactly (the warm-pool tests sweep warm browsers).
    const first = await launchNode('node-r', { HANGAR_WARM_POOL: '0' });
    const sessionId = await requestSession(fx.h, first.nodeId, { keepAlive: true });
    expect(await startOnNode(fx.h, first.nodeId, sessionId)).toMatchObject({ ok: true });
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');

    await first.service.stop('SIGKILL');
    // The precondition: a node killed outright leaves its detached Chromium running.
    const orphans = chromiumPids(first.profilesRoot);
    expect(orphans).toContain(data.pid);

    const second = await launchNode('node-r', { HANGAR_WARM_POOL: '0' });

    expect(orphans.filter(processAlive)).toEqual([]);
    expect(chromiumPids(second.profilesRoot)).toEqual([]);
    expect((await waitForEvent(fx.h, sessionId, 'SessionEnded')).data).toMatchObject({ status: 'ERROR', reason: 'NODE_RESTARTED' });
    await profileGone(second.profilesRoot, sessionId);
  });
});

describe('browser-node drain', () => {
  it('on SIGUSR2 says draining, refuses starts NO_CAPACITY, serves its session to its end, then leaves and exits 0', async () => {
    const node = await launchNode('node-drain-sig', { HANGAR_MAX_SESSIONS: '3', HANGAR_REGION: 'eu-central-1' });
    const beats = watch(node.nodeId);
    expect(await beats.next(() => true)).toMatchObject({ nodeId: node.nodeId, region: 'eu-central-1', maxSessions: 3, running: 0, draining: false });
    const s1 = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    const reply = await startOnNode(fx.h, node.nodeId, s1);
    if (!reply.ok) throw new Error(reply.error.message);
    expect(await beats.next((b) => b.running === 1)).toMatchObject({ sessionIds: [s1], draining: false });

    node.service.process.kill('SIGUSR2');

    // Its warm browsers (the default pool) leave the pool at once.
    expect(await beats.next((b) => b.draining)).toMatchObject({ region: 'eu-central-1', maxSessions: 3, running: 1, sessionIds: [s1], warmSlots: 0 });
    const s2 = await requestSession(fx.h, node.nodeId);
    expect(await startOnNode(fx.h, node.nodeId, s2)).toMatchObject({ ok: false, error: { code: 'NO_CAPACITY', message: expect.stringMatching(/draining/) } });
    // The running session keeps its clients, reconnects included.
    for (let i = 0; i < 2; i++) {
      const browser = await connect(reply.value.endpoint!);
      browsers.push(browser);
      expect(await (await firstPage(browser)).evaluate(() => 6 * 7)).toBe(42);
      await browser.disconnect();
    }
    await eventually(() => sessionEvents(fx.h, s1), (events) => events.filter((e) => e.type === 'ClientDisconnected').length === 2);
    expect(processAlive(node.service.process.pid!)).toBe(true);

    expect(await stopOnNode(fx.h, node.nodeId, s1)).toMatchObject({ ok: true, value: { status: 'COMPLETED', endReason: 'RELEASED' } });

    expect(await node.service.exited).toBe(0);
    await profileGone(node.profilesRoot, s1);
    expect((await sessionEvents(fx.h, s2)).map((e) => e.type)).toEqual(['SessionRequested', 'SessionScheduled']);
    const left = await nodeEvents(fx.h.store, node.nodeId);
    expect(left.map((e) => e.event.type)).toEqual(['NodeJoined', 'NodeLeft']);
    expect(left[1]!.event.data).toMatchObject({ reason: 'SHUTDOWN' });
    const ended = (await fx.h.store.read(subjects.sessionEvents(s1))).find((e) => e.event.type === 'SessionEnded')!;
    expect(ended.seq).toBeLessThan(left[1]!.seq);
  });

  it('drains on its drain command (ok, again ok) and leaves once the last client of its session has gone', async () => {
    const node = await launchNode('node-drain-cmd');
    const beats = watch(node.nodeId);
    const sessionId = await requestSession(fx.h, node.nodeId);
    const reply = await startOnNode(fx.h, node.nodeId, sessionId);
    if (!reply.ok) throw new Error(reply.error.message);
    const browser = await connect(reply.value.endpoint!);
    browsers.push(browser);
    await firstPage(browser);

    expect(await drainOnNode(fx.h, node.nodeId)).toEqual({ ok: true });
    expect(await drainOnNode(fx.h, node.nodeId)).toEqual({ ok: true });
    expect(await beats.next((b) => b.draining)).toMatchObject({ running: 1 });
    await browser.disconnect();

    expect(await node.service.exited).toBe(0);
    expect((await waitForEvent(fx.h, sessionId, 'SessionEnded')).data).toMatchObject({ status: 'COMPLETED', reason: 'CLIENT_DISCONNECTED' });
    expect((await nodeEvents(fx.h.store, node.nodeId)).map((e) => e.event.type)).toEqual(['NodeJoined', 'NodeLeft']);
  });

  it('an idle node answers its drain command and leaves at once', async () => {
    const node = await launchNode('node-drain-idle');
    expect(await drainOnNode(fx.h, node.nodeId)).toEqual({ ok: true });
    expect(await node.service.exited).toBe(0);
    expect((await nodeEvents(fx.h.store, node.nodeId)).map((e) => e.event.type)).toEqual(['NodeJoined', 'NodeLeft']);
  });

  it('a SIGTERM during a drain still ends the running sessions NODE_SHUTDOWN at once', async () => {
    const node = await launchNode('node-drain-term');
    const beats = watch(node.nodeId);
    const sessionId = await requestSession(fx.h, node.nodeId, { keepAlive: true });
    expect(await startOnNode(fx.h, node.nodeId, sessionId)).toMatchObject({ ok: true });
    const { data } = await waitForEvent(fx.h, sessionId, 'SessionStarted');
    node.service.process.kill('SIGUSR2');
    await beats.next((b) => b.draining);

    await node.service.stop('SIGTERM', 15_000);

    expect(await node.service.exited).toBe(0);
    expect(processAlive(data.pid)).toBe(false);
    expect((await waitForEvent(fx.h, sessionId, 'SessionEnded')).data).toMatchObject({ status: 'ERROR', reason: 'NODE_SHUTDOWN' });
    expect((await nodeEvents(fx.h.store, node.nodeId)).map((e) => e.event.type)).toEqual(['NodeJoined', 'NodeLeft']);
  });
});
