import { z } from 'zod';
import { endReasonSchema, regionSchema, userMetadataSchema, SESSION_STATUSES } from './session-settings.js';

/**
 * A session's state as it crosses the wire (command replies) and as the read model stores it.
 * `version` is the stream sequence of the last event folded in: comparing it with the stream's
 * last sequence for the session tells a reader whether the projection is behind.
 */
export const sessionSnapshotSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  status: z.enum(SESSION_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime(),
  keepAlive: z.boolean(),
  region: regionSchema,
  userMetadata: userMetadataSchema.optional(),
  contextId: z.string().optional(),
  nodeId: z.string().optional(),
  endpoint: z.string().optional(),
  endReason: endReasonSchema.optional(),
  /** Bytes through the session's upstream proxies, counted at its end (absent before: 0). */
  proxyBytes: z.number().int().nonnegative().optional(),
  clients: z.number().int().nonnegative(),
  version: z.number().int().nonnegative(),
});
export type SessionSnapshot = z.infer<typeof sessionSnapshotSchema>;
