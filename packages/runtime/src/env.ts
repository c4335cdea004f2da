import { z } from 'zod';

/**
 * Parses the process environment once, at boot, against an app's schema. A bad setting stops the
 * process with every problem listed, instead of surfacing later as a confusing runtime error.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Environment fragments every service shares. */
export const commonEnv = {
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** `/healthz`, `/readyz`, `/metrics` (ops-server.ts) on this port; unset: no ops server. */
  HANGAR_OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /**
   * Where the ops server listens. Loopback suits the local stack; a probe from outside the
   * process's network namespace (Kubernetes, compose healthchecks) needs 0.0.0.0.
   */
  HANGAR_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * JetStream replicas of the event stream (and the scheduler's lease bucket) when a service
   * creates it, and the least it raises an existing one to; never lowered (streams.ts). 3 on a
   * three-server cluster; more than the cluster has servers fails the start.
   */
  HANGAR_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const databaseEnv = {
  DATABASE_URL: z.string().min(1).default('postgres://postgres:postgres@127.0.0.1:5432/hangar'),
};

/** `"5"` → 5 with a range check; env vars are strings. */
export const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const boolFromEnv = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');
