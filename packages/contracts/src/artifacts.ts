import { z } from 'zod';

/**
 * What a session leaves behind in the artifact store (@hangar/artifacts), one object per kind:
 * its CDP log and its rrweb recording (gzip'd NDJSON, written by the archiver from the telemetry
 * stream), and a zip of its downloads (written by its node when the session ends).
 */
export const SESSION_ARTIFACT_KINDS = ['logs', 'recording', 'downloads'] as const;
export const sessionArtifactKindSchema = z.enum(SESSION_ARTIFACT_KINDS);
export type SessionArtifactKind = z.infer<typeof sessionArtifactKindSchema>;

/** The facts the domain log keeps about one stored artifact; the bytes stay in the store. */
export const storedArtifactSchema = z.object({
  kind: sessionArtifactKindSchema,
  key: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Some of it never reached the store (a cap, a node killed): the artifact says where. */
  truncated: z.boolean().optional(),
});
export type StoredArtifact = z.infer<typeof storedArtifactSchema>;
