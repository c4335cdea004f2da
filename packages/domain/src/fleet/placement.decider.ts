import type { Region } from '@hangar/contracts';

export interface NodeLoad {
  readonly nodeId: string;
  readonly region: Region;
  readonly maxSessions: number;
  /** Sessions running plus those placed but not yet reported by a heartbeat. */
  readonly load: number;
  readonly draining: boolean;
  /** Pre-started browsers the node can hand out at once. */
  readonly warmSlots?: number;
}

export type Placement =
  | { placed: true; nodeId: string }
  | { placed: false; reason: 'NO_REGION' | 'NO_CAPACITY' };

/**
 * A live node in the region with a free slot: one with a warm browser ready first (a hand-out
 * costs ~25 ms, a cold launch ~350 ms), then the least loaded relative to its capacity, then the
 * one with the most free slots.
 */
export function decidePlacement(nodes: Iterable<NodeLoad>, region: Region): Placement {
  let inRegion = 0;
  let best: NodeLoad | undefined;
  for (const node of nodes) {
    if (node.region !== region || node.draining) continue;
    inRegion++;
    if (node.load >= node.maxSessions) continue;
    if (!best || better(node, best)) best = node;
  }
  if (best) return { placed: true, nodeId: best.nodeId };
  return { placed: false, reason: inRegion === 0 ? 'NO_REGION' : 'NO_CAPACITY' };
}

function better(a: NodeLoad, b: NodeLoad): boolean {
  const warmA = (a.warmSlots ?? 0) > 0;
  const warmB = (b.warmSlots ?? 0) > 0;
  if (warmA !== warmB) return warmA;
  const ratioA = a.load / a.maxSessions;
  const ratioB = b.load / b.maxSessions;
  if (ratioA !== ratioB) return ratioA < ratioB;
  return a.maxSessions - a.load > b.maxSessions - b.load;
}
