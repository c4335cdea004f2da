import { z } from 'zod';

/** Stable codes a command handler may refuse with; the gateway maps them to HTTP in one place. */
export const COMMAND_ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'RATE_LIMITED',
  'NO_CAPACITY',
  'NO_REGION',
  'LAUNCH_FAILED',
  'UNAVAILABLE',
] as const;

export const commandErrorSchema = z.object({
  code: z.enum(COMMAND_ERROR_CODES),
  message: z.string(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  limit: z.number().int().nonnegative().optional(),
  remaining: z.number().int().nonnegative().optional(),
  resetSeconds: z.number().int().nonnegative().optional(),
});
export type CommandError = z.infer<typeof commandErrorSchema>;

export const refusal = (error: CommandError) => ({ ok: false as const, error });

export function replySchema<T extends z.ZodType>(ok: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value: ok }),
    z.object({ ok: z.literal(false), error: commandErrorSchema }),
  ]);
}
