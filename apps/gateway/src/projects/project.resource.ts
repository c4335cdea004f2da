import { z } from 'zod';

/** Browserbase's `Project` and its usage; the service's types are inferred from these (and documented by them). */
export const projectResourceSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  concurrency: z.number().int().positive().meta({ description: 'Sessions the project may run at once' }),
  defaultTimeout: z.number().int().meta({ description: 'Seconds; the timeout of a session created without one' }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ProjectResource = z.infer<typeof projectResourceSchema>;

export const projectUsageSchema = z.object({
  browserMinutes: z.number().int().nonnegative(),
  proxyBytes: z.number().int().nonnegative(),
});
export type ProjectUsage = z.infer<typeof projectUsageSchema>;
