import { z } from 'zod';
import { defineEvent } from '../envelope.js';

export const ProjectCreated = defineEvent(
  'ProjectCreated',
  1,
  z.object({
    projectId: z.string(),
    name: z.string(),
    ownerId: z.string(),
    concurrency: z.number().int().positive(),
    defaultTimeoutSeconds: z.number().int().min(60).max(21600),
    /** Session creates admitted per rolling minute; absent means no rate limit. */
    createRatePerMinute: z.number().int().positive().optional(),
  }),
);
