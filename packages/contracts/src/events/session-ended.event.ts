import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { endReasonSchema, endedStatusSchema } from '../session-settings.js';

/** Terminal: nothing follows it for this session. The browser and its profile are gone. */
export const SessionEnded = defineEvent(
  'SessionEnded',
  1,
  z.object({
    sessionId: z.string(),
    status: endedStatusSchema,
    reason: endReasonSchema,
    detail: z.string().optional(),
    /** Bytes through the session's upstream proxies, both ways (the node's session proxy counts them); absent: none. */
    proxyBytes: z.number().int().nonnegative().optional(),
  }),
);
