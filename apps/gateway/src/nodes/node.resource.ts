import { z } from 'zod';
import { regionSchema } from '@hangar/contracts';

/** A browser node as `GET /v1/nodes` shows it (Hangar's own, not Browserbase's). */
export const nodeResourceSchema = z.object({
  id: z.string(),
  region: regionSchema,
  endpoint: z.string().meta({ description: "The node's internal CDP endpoint (ws://host:port), as it announces it" }),
  state: z.enum(['ready', 'draining', 'lost']).meta({
    description: 'ready: takes new sessions; draining: serves its sessions, takes no new ones; lost: stopped heartbeating',
  }),
  maxSessions: z.number().int(),
  running: z.number().int().meta({ description: 'Browsers running, by its own last heartbeat' }),
  load: z.number().int().meta({ description: 'Sessions the scheduler has placed on it (pending and running)' }),
  lastHeartbeatAt: z.iso.datetime(),
});
export type NodeResource = z.infer<typeof nodeResourceSchema>;
export type NodeState = NodeResource['state'];
