import { z } from 'zod';
import { defineEvent } from '../envelope.js';

export const ClientConnected = defineEvent(
  'ClientConnected',
  1,
  z.object({ sessionId: z.string(), connectionId: z.string(), clients: z.number().int().nonnegative() }),
);
