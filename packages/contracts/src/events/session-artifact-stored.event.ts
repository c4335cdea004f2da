import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { storedArtifactSchema } from '../artifacts.js';

/**
 * One artifact of the session is in the artifact store, whole: its key, size and digest. It may
 * follow SessionEnded (the archiver writes logs and recording once the session has ended), and a
 * later one of the same kind replaces an earlier one.
 */
export const SessionArtifactStored = defineEvent('SessionArtifactStored', 1, storedArtifactSchema.extend({ sessionId: z.string() }));
