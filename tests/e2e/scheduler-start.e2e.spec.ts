import { api, eventually, startTestStack, type TestStack } from './harness.js';

// A scheduler that takes the lead right after it started (the previous one stopped, or was
// killed while this one was restarting) knows the fleet only from the heartbeats it has heard.
describe('a scheduler leading a moment after it started', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({
      // Sparse heartbeats, so the new scheduler leads before it has heard the node.
      env: { 'browser-node': { HANGAR_HEARTBEAT_MS: '2500' }, scheduler: { HANGAR_NODE_LOST_MS: '8000', LOG_LEVEL: 'info' } },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('places a create on a node it has not heard from yet instead of answering NO_REGION', async () => {
    await t.stack.services.get('scheduler-1')!.stop();
    const from = t.logs.length;
    t.stack.startService('scheduler-1');
    await eventually(() => t.logs.slice(from).some((l) => l.includes('scheduler leads and listens for commands')), Boolean, 20_000);
    const created = await api(t.stack, 'POST', '/v1/sessions', { keepAlive: true });
    expect({ status: created.status, body: created.body }).toMatchObject({ status: 201, body: { status: 'RUNNING' } });
    expect((await api(t.stack, 'POST', `/v1/sessions/${created.body.id}`, { status: 'REQUEST_RELEASE' })).status).toBe(200);
  });
});
