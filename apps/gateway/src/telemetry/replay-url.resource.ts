import { z } from 'zod';

/** `GET /v1/sessions/:id/replay` (Hangar's own): where a person's browser plays the session back. */
export const replayUrlSchema = z.object({
  /** The replay page, its view token in the query: anyone holding the URL can watch until it expires. */
  url: z.string(),
  expiresAt: z.iso.datetime(),
});
export type ReplayUrl = z.infer<typeof replayUrlSchema>;
