import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { browserSettingsSchema, proxySettingSchema, regionSchema, userMetadataSchema } from '../session-settings.js';

/** Admission granted: the session exists from here on, PENDING until a node starts it. */
export const SessionRequested = defineEvent(
  'SessionRequested',
  1,
  z.object({
    sessionId: z.string(),
    projectId: z.string(),
    keepAlive: z.boolean(),
    timeoutSeconds: z.number().int().positive(),
    region: regionSchema,
    expiresAt: z.iso.datetime(),
    userMetadata: userMetadataSchema.optional(),
    contextId: z.string().optional(),
    extensionId: z.string().optional(),
    browserSettings: browserSettingsSchema,
    proxies: proxySettingSchema.optional(),
  }),
);
