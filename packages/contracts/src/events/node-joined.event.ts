import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { regionSchema } from '../session-settings.js';

export const NodeJoined = defineEvent(
  'NodeJoined',
  1,
  z.object({ nodeId: z.string(), region: regionSchema, endpoint: z.string(), maxSessions: z.number().int().positive() }),
);
