import { schedulerStatusReply, subjects } from '@hangar/contracts';
import type { NatsConnection } from '@hangar/messaging';

/** Until the scheduler answers and has seen `count` live browser-nodes. */
export async function waitForNodes(nc: NatsConnection, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer from the scheduler';
  while (Date.now() < deadline) {
    try {
      const msg = await nc.request(subjects.schedulerStatus, '{}', { timeout: 1_000 });
      const status = schedulerStatusReply.parse(msg.json());
      if (status.ready && status.nodes.filter((n) => n.live).length >= count) return;
      last = `scheduler sees ${status.nodes.length} node(s), ready=${status.ready}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`browser-nodes did not come up within ${timeoutMs} ms (${last})`);
}
