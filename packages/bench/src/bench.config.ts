import { z } from 'zod';

const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * Every knob of `npm run bench`, read once. Defaults keep a run to a few minutes on a 2-vCPU box;
 * the sample sizes are small on purpose, so p99 of a 40-sample series is close to its maximum.
 */
const schema = z.object({
  /** Seconds of churn per concurrency level and per side (Hangar, then plain puppeteer.launch). */
  BENCH_CHURN_SECONDS: count(1, 3_600, 60),
  BENCH_CHURN_CONCURRENCY: z
    .string()
    .default('2,4')
    .transform((s) => s.split(',').map((x) => Number(x.trim())))
    .pipe(z.array(z.number().int().min(1).max(32)).min(1)),
  /** Sequential creates for the POST /v1/sessions latency (after warm-ups). */
  BENCH_CREATE_N: count(5, 10_000, 40),
  /** Lifecycle iterations per side (Hangar and baseline, interleaved). */
  BENCH_LIFECYCLE_N: count(5, 10_000, 30),
  /** CDP round trips per path. */
  BENCH_CDP_N: count(50, 1_000_000, 2_000),
  /** Idle sessions held side by side for the memory figure. */
  BENCH_IDLE_SESSIONS: count(1, 64, 5),
  BENCH_GET_SECONDS: count(1, 600, 5),
  BENCH_GET_IN_FLIGHT: count(1, 1_024, 16),
  BENCH_WARMUP: count(0, 100, 3),
  /** (7) data plane: lifecycle iterations per side (defaults, then recording and logging off, alternating). */
  BENCH_DATA_PLANE_N: count(2, 10_000, 15),
  /** (7) seconds of churn per side, at BENCH_DATA_PLANE_CONCURRENCY. */
  BENCH_DATA_PLANE_CHURN_SECONDS: count(1, 3_600, 20),
  BENCH_DATA_PLANE_CONCURRENCY: count(1, 32, 2),
  /** (7) seconds a session spends on a busy page for the recording's weight. */
  BENCH_RECORDING_SECONDS: count(1, 3_600, 30),
  /** (7) size of the file downloaded for the downloads-zip figure, in MB (10^6 bytes). */
  BENCH_DOWNLOAD_MB: count(1, 10_000, 100),
  /** (8) first-page iterations per side (a session with a context, a bare cold launch; alternating). */
  BENCH_CONTEXT_N: count(2, 10_000, 10),
  /** (8) MB of incompressible IndexedDB data in the context's profile. */
  BENCH_CONTEXT_PROFILE_MB: count(1, 10_000, 20),
  /** (9) page loads per side (a Hangar session, one through an upstream proxy, a plain Chromium; rotating). */
  BENCH_EGRESS_N: count(5, 10_000, 30),
  /** (9) sessions held with the loaded page for the node's memory per session. */
  BENCH_EGRESS_HELD: count(1, 64, 5),
  CHROME_PATH: z.string().min(1).optional(),
  /** Echo the services' log lines (LOG_LEVEL warn) as they come. */
  BENCH_LOGS: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  /** Where the JSON goes; default <repo>/bench/results. */
  BENCH_RESULTS_DIR: z.string().min(1).optional(),
});

export type BenchConfig = z.infer<typeof schema>;

export function loadBenchConfig(source: NodeJS.ProcessEnv = process.env): BenchConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid bench configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}
