import { z } from 'zod';
import { regionSchema } from '../session-settings.js';

/** Core NATS, fire-and-forget, every second: liveness and capacity, not history. */
export const nodeHeartbeatMessage = z.object({
  nodeId: z.string(),
  region: regionSchema,
  endpoint: z.string(),
  maxSessions: z.number().int().positive(),
  running: z.number().int().nonnegative(),
  /** Pre-started browsers ready to hand out (the node's warm pool); 0 without a pool. */
  warmSlots: z.number().int().nonnegative().default(0),
  sessionIds: z.array(z.string()),
  draining: z.boolean(),
  at: z.iso.datetime(),
});
export type NodeHeartbeat = z.infer<typeof nodeHeartbeatMessage>;
