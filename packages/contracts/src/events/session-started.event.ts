import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * The browser is up with its first page open. `endpoint` is the node's internal WebSocket address
 * for this session; the gateway pipes client connections to it.
 */
export const SessionStarted = defineEvent(
  'SessionStarted',
  1,
  z.object({ sessionId: z.string(), nodeId: z.string(), endpoint: z.string(), pid: z.number().int() }),
);
