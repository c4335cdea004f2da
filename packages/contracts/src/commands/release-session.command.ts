import { z } from 'zod';
import { sessionSnapshotSchema } from '../session-snapshot.js';
import { replySchema } from './command-error.js';

/** Gateway → scheduler. Idempotent: releasing an ended session answers its final state. */
export const releaseSessionCommand = z.object({ correlationId: z.string(), projectId: z.string(), sessionId: z.string() });
export type ReleaseSessionCommand = z.infer<typeof releaseSessionCommand>;
export const releaseSessionReply = replySchema(sessionSnapshotSchema);
export type ReleaseSessionReply = z.infer<typeof releaseSessionReply>;
