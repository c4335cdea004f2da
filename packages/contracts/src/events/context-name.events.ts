import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * A name's claim, on the name's own subject (subjects.contextNameEvents): appended with the
 * subject's version expected, so of two creates racing for one name exactly one holds it.
 */
export const ContextNameClaimed = defineEvent('ContextNameClaimed', 1, z.object({ projectId: z.string(), contextId: z.string(), name: z.string().min(1) }));

/** The name is free again (its context was deleted, or its create was undone). */
export const ContextNameReleased = defineEvent('ContextNameReleased', 1, z.object({ projectId: z.string(), contextId: z.string() }));
