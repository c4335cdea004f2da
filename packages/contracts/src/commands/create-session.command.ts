import { z } from 'zod';
import { browserSettingsSchema, proxySettingSchema, regionSchema, userMetadataSchema } from '../session-settings.js';
import { sessionSnapshotSchema } from '../session-snapshot.js';
import { replySchema } from './command-error.js';

/** Gateway → scheduler (queue group). The body has already passed the API's validation. */
export const createSessionCommand = z.object({
  correlationId: z.string(),
  projectId: z.string(),
  keepAlive: z.boolean(),
  timeoutSeconds: z.number().int().min(1).max(21600).optional(),
  region: regionSchema,
  userMetadata: userMetadataSchema.optional(),
  contextId: z.string().optional(),
  extensionId: z.string().optional(),
  browserSettings: browserSettingsSchema,
  proxies: proxySettingSchema.optional(),
});
export type CreateSessionCommand = z.infer<typeof createSessionCommand>;
export const createSessionReply = replySchema(sessionSnapshotSchema);
export type CreateSessionReply = z.infer<typeof createSessionReply>;
