import { z } from 'zod';
import { sessionSettingsSchema } from '../session-settings.js';
import { sessionSnapshotSchema } from '../session-snapshot.js';
import { replySchema } from './command-error.js';

/**
 * Gateway → scheduler (queue group). The settings have already passed the API's validation; an
 * absent `timeoutSeconds` is the project's default, which the scheduler applies.
 */
export const createSessionCommand = sessionSettingsSchema.extend({
  correlationId: z.string(),
  projectId: z.string(),
});
export type CreateSessionCommand = z.infer<typeof createSessionCommand>;
export const createSessionReply = replySchema(sessionSnapshotSchema);
export type CreateSessionReply = z.infer<typeof createSessionReply>;
