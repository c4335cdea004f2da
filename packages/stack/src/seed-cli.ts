// One-shot: make sure a project and its API key exist (docker compose's `seed` service).
// Goes through the event log like everything else; the projector writes the rows.
import { z } from 'zod';
import { createDb } from '@hangar/db';
import { connectNats, ensureEventStream, EventStore } from '@hangar/messaging';
import { commonEnv, databaseEnv, intFromEnv, parseEnv } from '@hangar/runtime';
import { seedProject } from './seed.js';

const env = parseEnv(
  z.object({
    ...commonEnv,
    ...databaseEnv,
    HANGAR_API_KEY: z.string().min(16, 'HANGAR_API_KEY must be at least 16 characters'),
    HANGAR_PROJECT_ID: z.uuid().optional(),
    HANGAR_PROJECT_CONCURRENCY: intFromEnv(1, 10_000).default(5),
    HANGAR_PROJECT_CREATE_RATE: intFromEnv(1, 1_000_000).optional(),
  }),
);
const nc = await connectNats(env.NATS_URL, 'hangar-seed');
await ensureEventStream(nc, { replicas: env.HANGAR_STREAM_REPLICAS });
const db = createDb(env.DATABASE_URL, { max: 1 });
try {
  const { projectId } = await seedProject(await EventStore.create(nc), db, {
    apiKey: env.HANGAR_API_KEY,
    concurrency: env.HANGAR_PROJECT_CONCURRENCY,
    createRatePerMinute: env.HANGAR_PROJECT_CREATE_RATE,
    ...(env.HANGAR_PROJECT_ID ? { projectId: env.HANGAR_PROJECT_ID } : {}),
  });
  console.log(JSON.stringify({ msg: 'project ready', projectId }));
} finally {
  await db.destroy();
  await nc.drain();
}
