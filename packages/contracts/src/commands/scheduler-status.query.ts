import { z } from 'zod';
import { regionSchema } from '../session-settings.js';

/** Operational probe answered by the scheduler (plain core NATS request/reply, JSON). */
export const schedulerStatusReply = z.object({
  ready: z.boolean(),
  nodes: z.array(
    z.object({
      nodeId: z.string(),
      region: regionSchema,
      endpoint: z.string(),
      maxSessions: z.number().int(),
      running: z.number().int(),
      warmSlots: z.number().int().default(0),
      load: z.number().int(),
      live: z.boolean(),
      draining: z.boolean(),
      lastSeenAt: z.iso.datetime(),
    }),
  ),
});
export type SchedulerStatus = z.infer<typeof schedulerStatusReply>;
