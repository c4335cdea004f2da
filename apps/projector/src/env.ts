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
});
export type ProjectorEnv = z.infer<typeof envSchema>;
export const loadEnv = () => parseEnv(envSchema);
