import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * A context of the project exists, with no profile yet: the first session that uses it starts
 * from an empty profile. `name` is trimmed, and unique in the project among contexts that are
 * not deleted, compared case-insensitively (its claim is on the name's own subject:
 * ContextNameClaimed). `publicKey` is the SPKI PEM answered as the SDK's `publicKey`.
 */
export const ContextCreated = defineEvent(
  'ContextCreated',
  1,
  z.object({
    contextId: z.string(),
    projectId: z.string(),
    name: z.string().optional(),
    publicKey: z.string().min(1),
  }),
);
