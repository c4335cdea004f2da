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

/**
 * Waits for a heartbeat that reports at least `slots` warm browsers ready (the pool full again
 * after the previous session took one). False when none did within `timeoutMs`.
 */
export async function warmPoolReady(nc: NatsConnection, slots: number, timeoutMs = 20_000): Promise<boolean> {
  if (slots <= 0) return true;
  const sub = nc.subscribe(subjects.allNodeHeartbeats);
  // Heartbeats keep coming whatever they say: the deadline ends the wait.
  const deadline = setTimeout(() => sub.unsubscribe(), timeoutMs);
  try {
    for await (const msg of sub) {
      if (nodeHeartbeatMessage.parse(msg.json()).warmSlots >= slots) return true;
    }
    return false;
  } finally {
    clearTimeout(deadline);
    sub.unsubscribe();
  }
}
