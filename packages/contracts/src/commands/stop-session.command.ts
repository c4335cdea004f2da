import { z } from 'zod';
import { endReasonSchema, endedStatusSchema } from '../session-settings.js';
import { sessionSnapshotSchema } from '../session-snapshot.js';
import { replySchema } from './command-error.js';
import { sessionHandoffSchema } from './start-session.command.js';

/** Scheduler → owning node: tear the browser down and append SessionEnded. */
export const stopSessionCommand = z.object({
  correlationId: z.string(),
  sessionId: z.string(),
  /** endStatusFor(reason), for nodes of the previous release: a node derives the status from the reason itself. */
  status: endedStatusSchema,
  reason: endReasonSchema,
  /** The scheduler's SessionReleaseRequested, when the stop is a release. */
  handoff: sessionHandoffSchema.optional(),
});
export type StopSessionCommand = z.infer<typeof stopSessionCommand>;
export const stopSessionReply = replySchema(sessionSnapshotSchema);
export type StopSessionReply = z.infer<typeof stopSessionReply>;
