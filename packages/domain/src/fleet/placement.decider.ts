import type { Region } from '@hangar/contracts';

export interface NodeLoad {
  readonly nodeId: string;
  readonly region: Region;
  readonly maxSessions: number;
  /** Sessions running plus those placed but not yet reported by a heartbeat. */
  readonly load: number;
  readonly draining: boolean;
}

export type Placement =
  | { placed: true; nodeId: string }
  | { placed: false; reason: 'NO_REGION' | 'NO_CAPACITY' };

/** Least-loaded live node in the region; ties go to the node with the most free slots. */
export function decidePlacement(nodes: Iterable<NodeLoad>, region: Region): Placement {
  let inRegion = 0;
  let best: NodeLoad | undefined;
  for (const node of nodes) {
    if (node.region !== region || node.draining) continue;
    inRegion++;
    if (node.load >= node.maxSessions) continue;
    const ratio = node.load / node.maxSessions;
    const bestRatio = best ? best.load / best.maxSessions : Infinity;
    if (!best || ratio < bestRatio || (ratio === bestRatio && node.maxSessions - node.load > best.maxSessions - best.load)) best = node;
  }
  if (best) return { placed: true, nodeId: best.nodeId };
  return { placed: false, reason: inRegion === 0 ? 'NO_REGION' : 'NO_CAPACITY' };
}
