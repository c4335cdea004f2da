import type { NodeHeartbeat } from '@hangar/contracts';
import { createLogger } from '@hangar/runtime';
import { FleetRegistry } from './fleet.registry.js';

const heartbeat = (nodeId: string, extra: Partial<NodeHeartbeat> = {}): NodeHeartbeat => ({
  nodeId,
  region: 'us-west-2',
  endpoint: `ws://${nodeId}`,
  maxSessions: 4,
  running: 0,
  warmSlots: 0,
  sessionIds: [],
  draining: false,
  at: new Date(0).toISOString(),
  ...extra,
});

function fleet(nodeLostMs = 1000) {
  const clock = { now: 0 };
  const registry = new FleetRegistry(nodeLostMs, createLogger('fleet-spec', 'silent'), () => clock.now);
  return { registry, clock };
}

describe('the fleet registry', () => {
  it('holds a node live for one lost-interval after its last heartbeat, and reports it lost once', () => {
    const { registry, clock } = fleet();
    registry.heard(heartbeat('a'));
    clock.now = 1000;
    expect(registry.isLive('a')).toBe(true);
    expect(registry.newlyLost()).toEqual([]);
    clock.now = 1001;
    expect(registry.isLive('a')).toBe(false);
    expect(registry.newlyLost()).toEqual(['a']);
    expect(registry.newlyLost()).toEqual([]);
    // Heard from again: live, and lost again only after another silence.
    registry.heard(heartbeat('a'));
    expect(registry.isLive('a')).toBe(true);
    clock.now = 2002;
    expect(registry.newlyLost()).toEqual(['a']);
  });

  it("gives placement live nodes only, with the scheduler's count when it is ahead of the heartbeat", () => {
    const { registry, clock } = fleet();
    registry.heard(heartbeat('a', { running: 1, warmSlots: 2 }));
    registry.heard(heartbeat('b', { region: 'eu-central-1', draining: true }));
    clock.now = 500;
    registry.heard(heartbeat('c'));
    registry.notePlaced('a');
    expect(registry.loads(new Map([['a', 3]]))).toEqual([
      { nodeId: 'a', region: 'us-west-2', maxSessions: 4, load: 3, draining: false, warmSlots: 1 },
      { nodeId: 'b', region: 'eu-central-1', maxSessions: 4, load: 0, draining: true, warmSlots: 0 },
      { nodeId: 'c', region: 'us-west-2', maxSessions: 4, load: 0, draining: false, warmSlots: 0 },
    ]);
    clock.now = 1200;
    expect(registry.loads(new Map()).map((n) => n.nodeId)).toEqual(['c']);
  });

  it('forgets a node that left cleanly', () => {
    const { registry } = fleet();
    registry.heard(heartbeat('a'));
    registry.forget('a');
    expect(registry.isLive('a')).toBe(false);
    expect(registry.newlyLost()).toEqual([]);
  });
});
