import { mayTakeOver, type LeaseOwner } from './browser-users.js';

const owner: LeaseOwner = { pid: 4242, startTime: '123', nodeId: 'node-a' };

describe('taking over a browser user lease', () => {
  it('never while the holder lives, however old the lease', () => {
    expect(mayTakeOver({ owner, alive: true, untouchedMs: 3_600_000, nodeId: 'node-a' })).toBe(false);
    expect(mayTakeOver({ owner, alive: true, untouchedMs: 3_600_000, nodeId: 'node-b' })).toBe(false);
  });

  it("at once by the dead holder's own node id: a restart reclaims its previous run's users", () => {
    expect(mayTakeOver({ owner, alive: false, untouchedMs: 0, nodeId: 'node-a' })).toBe(true);
  });

  it("by another node only once the lease has gone untouched, so a restart's sweep sees its orphans first", () => {
    expect(mayTakeOver({ owner, alive: false, untouchedMs: 5_000, nodeId: 'node-b' })).toBe(false);
    expect(mayTakeOver({ owner, alive: false, untouchedMs: 31_000, nodeId: 'node-b' })).toBe(true);
  });

  it('an unreadable lease (its holder died mid-write, or is writing it) only once settled', () => {
    expect(mayTakeOver({ owner: undefined, alive: false, untouchedMs: 10, nodeId: 'node-a' })).toBe(false);
    expect(mayTakeOver({ owner: undefined, alive: false, untouchedMs: 31_000, nodeId: 'node-a' })).toBe(true);
  });
});
