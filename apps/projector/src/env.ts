import { z } from 'zod';
import { artifactStoreEnv } from '@hangar/artifacts';
import { commonEnv, databaseEnv, parseEnv } from '@hangar/runtime';

export const envSchema = z.object({
  ...commonEnv,
  ...databaseEnv,
  /** Where the archiver writes session logs and recordings: @hangar/artifacts. */
  ...artifactStoreEnv,
  /** The projection's checkpoint name: one active projector per name; a new name rebuilds from the stream. */
  HANGAR_PROJECTION_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/).default('read-model'),
  /** How long after a session's end the archiver waits for its node's last telemetry (`end`) before archiving what there is, marked as cut short. */
  HANGAR_ARCHIVE_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
});
export type ProjectorEnv = z.infer<typeof envSchema>;
export const loadEnv = () => parseEnv(envSchema);
