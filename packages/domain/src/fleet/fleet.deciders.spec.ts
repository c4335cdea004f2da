import { decideAdmission } from './admission.decider.js';
import { decideCreateRate, RATE_WINDOW_MS } from './create-rate.decider.js';
import { decidePlacement, type NodeLoad } from './placement.decider.js';

const node = (nodeId: string, load: number, maxSessions = 4, extra: Partial<NodeLoad> = {}): NodeLoad => ({
  nodeId,
  region: 'us-west-2',
  maxSessions,
  load,
  draining: false,
  ...extra,
});

describe('admission', () => {
  it('admits below the limit and refuses at it with a retry hint', () => {
    expect(decideAdmission(2, 1)).toEqual({ admitted: true, limit: 2, remaining: 0 });
    expect(decideAdmission(2, 2)).toMatchObject({ admitted: false, limit: 2, remaining: 0, retryAfterSeconds: 1 });
  });
});

describe('create rate', () => {
  const now = 1_000_000;
  it('has no limit when the project sets none', () => {
    expect(decideCreateRate(undefined, [now, now, now], now).allowed).toBe(true);
  });
  it('counts only the last minute and says when a slot frees', () => {
    const recent = [now - RATE_WINDOW_MS - 1, now - 30_000, now - 10_000];
    expect(decideCreateRate(3, recent, now)).toMatchObject({ allowed: true, remaining: 0 });
    expect(decideCreateRate(2, recent, now)).toEqual({ allowed: false, limit: 2, remaining: 0, retryAfterSeconds: 30, resetSeconds: 30 });
  });
});

describe('placement', () => {
  it('picks the least-loaded live node of the region', () => {
    expect(decidePlacement([node('a', 3), node('b', 1), node('c', 0, 4, { region: 'eu-central-1' })], 'us-west-2')).toEqual({ placed: true, nodeId: 'b' });
  });
  it('compares load relative to capacity', () => {
    expect(decidePlacement([node('small', 1, 2), node('big', 3, 8)], 'us-west-2')).toEqual({ placed: true, nodeId: 'big' });
  });
  it('prefers a node with a warm browser ready over a less loaded cold one', () => {
    expect(decidePlacement([node('cold', 0), node('warm', 2, 4, { warmSlots: 1 })], 'us-west-2')).toEqual({ placed: true, nodeId: 'warm' });
    expect(decidePlacement([node('cold', 0), node('warm-full', 4, 4, { warmSlots: 1 })], 'us-west-2')).toEqual({ placed: true, nodeId: 'cold' });
  });
  it('skips draining and full nodes; says why when nothing fits', () => {
    expect(decidePlacement([node('a', 4), node('b', 0, 4, { draining: true })], 'us-west-2')).toEqual({ placed: false, reason: 'NO_CAPACITY' });
    expect(decidePlacement([node('a', 0)], 'ap-southeast-1')).toEqual({ placed: false, reason: 'NO_REGION' });
  });
});
