import { z } from 'zod';
import { parseOrThrow } from '../errors/validation-message.js';

/** `POST /v1/sessions/:id`: the only update the API has is asking for the session to end. */
export const updateSessionBody = z.object(
  {
    status: z.literal('REQUEST_RELEASE', { error: 'must be "REQUEST_RELEASE" (the only status a client can set)' }),
    projectId: z.string().min(1).optional(),
  },
  { error: 'must be a JSON object' },
);
export type UpdateSessionBody = z.infer<typeof updateSessionBody>;

export const parseUpdateSessionBody = (input: unknown): UpdateSessionBody => parseOrThrow(updateSessionBody, input === undefined ? {} : input);
