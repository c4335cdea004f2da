import { z } from 'zod';
import { regionSchema, SESSION_STATUSES, userMetadataSchema } from '@hangar/contracts';

/*
 * The Browserbase `Session` as this gateway sends it. The presenter's types are inferred from
 * these schemas and the OpenAPI document is generated from them, so what is documented is what
 * is sent.
 */

export const sessionResourceSchema = z.object({
  id: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  projectId: z.string(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime(),
  status: z.enum(SESSION_STATUSES),
  proxyBytes: z.number().int().nonnegative(),
  keepAlive: z.boolean(),
  contextId: z.string().optional().meta({ description: 'browserSettings.context.id, when the session was created with one' }),
  region: regionSchema,
  userMetadata: userMetadataSchema.optional(),
});
export type SessionResource = z.infer<typeof sessionResourceSchema>;

export const connectInfoShape = {
  connectUrl: z.string().meta({ description: 'ws(s)://<host>/?signingKey=<key>: the CDP WebSocket for Puppeteer and Playwright' }),
  seleniumRemoteUrl: z.string().meta({ description: 'http(s)://<host>/webdriver' }),
  signingKey: z.string().meta({ description: "The session's own secret (not the API key)" }),
};

/** The 201 of a create: the session and how to connect. */
export const sessionCreatedSchema = sessionResourceSchema.extend(connectInfoShape);
/** A read: the connect details only while the session runs. */
export const sessionDetailSchema = sessionResourceSchema.extend({
  connectUrl: connectInfoShape.connectUrl.optional(),
  seleniumRemoteUrl: connectInfoShape.seleniumRemoteUrl.optional(),
  signingKey: connectInfoShape.signingKey.optional(),
});
