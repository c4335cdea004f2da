import { z } from 'zod';
import { defineEvent } from '../envelope.js';

export const ClientDisconnected = defineEvent(
  'ClientDisconnected',
  1,
  z.object({ sessionId: z.string(), connectionId: z.string(), clients: z.number().int().nonnegative() }),
);
