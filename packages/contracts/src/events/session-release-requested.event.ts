import { z } from 'zod';
import { defineEvent } from '../envelope.js';

export const SessionReleaseRequested = defineEvent('SessionReleaseRequested', 1, z.object({ sessionId: z.string() }));
