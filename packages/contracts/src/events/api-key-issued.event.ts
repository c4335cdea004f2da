import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** Only the SHA-256 of a key is ever stored or published; the key itself is shown once. */
export const ApiKeyIssued = defineEvent(
  'ApiKeyIssued',
  1,
  z.object({ projectId: z.string(), keyId: z.string(), keyHash: z.string().regex(/^[0-9a-f]{64}$/), prefix: z.string() }),
);
