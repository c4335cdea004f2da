import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * A persisting session's profile is in the artifact store, whole and sealed (AES-256-GCM), under
 * a key of its own (one per save), and is now the context's profile: the next session that uses
 * the context starts from it. `version` counts the context's saves (1, 2, …); the append is
 * optimistic on the context's stream, so two saves never share a version and the last one
 * appended is the profile (last writer wins). `sessionId` is the session that saved it.
 */
export const ContextSaved = defineEvent(
  'ContextSaved',
  1,
  z.object({
    contextId: z.string(),
    projectId: z.string(),
    sessionId: z.string(),
    version: z.number().int().positive(),
    key: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    files: z.number().int().nonnegative(),
  }),
);
