import { z } from 'zod';

/**
 * Operator → one node (`subjects.drainNode`): take no new sessions, let the running ones finish,
 * then leave. The subject names the node; a correlation id, when given, tags its log lines.
 */
export const drainNodeCommand = z.object({ correlationId: z.string().min(1).optional() });
export type DrainNodeCommand = z.infer<typeof drainNodeCommand>;

/** Always accepted, and idempotent: draining a draining (or stopping) node changes nothing. */
export const drainNodeReply = z.object({ ok: z.literal(true) });
export type DrainNodeReply = z.infer<typeof drainNodeReply>;
