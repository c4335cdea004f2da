import { z } from 'zod';
import { browserSettingsSchema } from '../session-settings.js';
import { sessionSnapshotSchema } from '../session-snapshot.js';
import { replySchema } from './command-error.js';

/** Scheduler → the chosen node: launch the browser and append SessionStarted. */
export const startSessionCommand = z.object({
  correlationId: z.string(),
  sessionId: z.string(),
  projectId: z.string(),
  browserSettings: browserSettingsSchema,
});
export type StartSessionCommand = z.infer<typeof startSessionCommand>;
export const startSessionReply = replySchema(sessionSnapshotSchema);
export type StartSessionReply = z.infer<typeof startSessionReply>;
