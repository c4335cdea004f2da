import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv } from '@hangar/runtime';

export const envSchema = z.object({
  ...commonEnv,
  /** A session nobody connects to within this long ends (TIMED_OUT, CONNECT_TIMEOUT). */
  HANGAR_CONNECT_TIMEOUT_MS: intFromEnv(1, 3_600_000).default(300_000),
  /**
   * How long one second of a session's `timeout` lasts. 1000 in production; tests shrink it so
   * the real timeout path runs in milliseconds (expiresAt follows the same clock).
   */
  HANGAR_TIMEOUT_SECOND_MS: intFromEnv(1, 1000).default(1000),
  /** A node with no heartbeat for this long takes no new sessions. */
  HANGAR_NODE_LOST_MS: intFromEnv(100, 600_000).default(3000),
  /** How often the leader checks for lost nodes. */
  HANGAR_NODE_SWEEP_MS: intFromEnv(50, 60_000).default(500),
  /** The leader lease's lifetime: a standby takes over within about this long of a leader's death. */
  HANGAR_LEADER_LEASE_MS: intFromEnv(300, 60_000).default(3000),
  HANGAR_START_TIMEOUT_MS: intFromEnv(100, 600_000).default(20_000),
  HANGAR_STOP_TIMEOUT_MS: intFromEnv(100, 600_000).default(10_000),
});
export type SchedulerEnv = z.infer<typeof envSchema>;
export const loadEnv = () => parseEnv(envSchema);
