import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * The context is gone: no new session may name it, no save is recorded for it any more, and its
 * stored profiles are removed after this. Sessions already running with it keep their browser.
 */
export const ContextDeleted = defineEvent('ContextDeleted', 1, z.object({ contextId: z.string(), projectId: z.string() }));
