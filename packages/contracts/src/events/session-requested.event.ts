import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { sessionSettingsSchema } from '../session-settings.js';

/**
 * Admission granted: the session exists from here on, PENDING until a node starts it. The
 * settings are recorded as the gateway validated them, with the timeout resolved: this event is
 * where the node reads what to launch.
 *
 * Events written before the settings had one shape also carry top-level `contextId` and
 * `extensionId`: copies of `browserSettings.context.id` / the body's `extensionId`. They are
 * dropped on read; no browser ever applied the extension, and those sessions have long ended.
 */
export const SessionRequested = defineEvent(
  'SessionRequested',
  1,
  sessionSettingsSchema.extend({
    sessionId: z.string(),
    projectId: z.string(),
    timeoutSeconds: z.number().int().positive(),
    expiresAt: z.iso.datetime(),
  }),
);
