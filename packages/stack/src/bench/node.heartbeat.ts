import { nodeHeartbeatMessage, subjects, type NodeHeartbeat } from '@hangar/contracts';
import type { NatsConnection } from '@hangar/messaging';

/**
 * The next heartbeat of any node: what the node says about itself (capacity, warm-pool slots
 * ready), recorded with the results so a reader knows which configuration was measured.
 */
export async function nextHeartbeat(nc: NatsConnection, timeoutMs = 5_000): Promise<NodeHeartbeat | undefined> {
  const sub = nc.subscribe(subjects.allNodeHeartbeats, { max: 1, timeout: timeoutMs });
  try {
    for await (const msg of sub) return nodeHeartbeatMessage.parse(msg.json());
  } catch {
    // Timed out: reported as unknown.
  }
  return undefined;
}
