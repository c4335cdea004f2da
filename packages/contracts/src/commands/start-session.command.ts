import { z } from 'zod';
import { sessionEventSchema } from '../events/index.js';
import { sessionSnapshotSchema } from '../session-snapshot.js';
import { replySchema } from './command-error.js';

/**
 * Scheduler → the chosen node: launch the browser and append SessionStarted. The settings travel
 * once, in the SessionRequested event: the command does not repeat them.
 */
export const startSessionCommand = z.object({
  correlationId: z.string(),
  sessionId: z.string(),
  projectId: z.string(),
  /**
   * The session's events so far with their stream sequences (SessionRequested, SessionScheduled),
   * as the scheduler appended them: the node takes the settings from SessionRequested and folds
   * them instead of reading them back from the log, one round trip per event fewer on every
   * create. Absent (or without SessionRequested): the node reads the log before it launches.
   */
  history: z.array(z.object({ seq: z.number().int().positive(), event: sessionEventSchema })).max(16).optional(),
});

/**
 * Events one writer just appended to a session, handed to the next writer so it need not read
 * them back: `base` is the version they were appended on top of, so the receiver folds them only
 * onto exactly that state (anything else and it reads the log as usual).
 */
export const sessionHandoffSchema = z.object({
  base: z.number().int().nonnegative(),
  events: z.array(z.object({ seq: z.number().int().positive(), event: sessionEventSchema })).min(1).max(16),
});
export type SessionHandoff = z.infer<typeof sessionHandoffSchema>;
export type StartSessionCommand = z.infer<typeof startSessionCommand>;
export const startSessionReply = replySchema(sessionSnapshotSchema);
export type StartSessionReply = z.infer<typeof startSessionReply>;
