import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** Placement decided: `nodeId` owns the session's browser from here on. */
export const SessionScheduled = defineEvent('SessionScheduled', 1, z.object({ sessionId: z.string(), nodeId: z.string() }));
