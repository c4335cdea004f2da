import { z } from 'zod';

/** Every error's body, whatever the status: `message` names the field and the rule, or what to do. */
export const errorBodySchema = z.object({
  statusCode: z.number().int(),
  error: z.string().meta({ description: "The status's reason phrase, e.g. Bad Request" }),
  message: z.string(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
