/**
 * Per-project create rate over a rolling minute. `recent` holds the creation times (ms) of
 * sessions admitted in the last minute, oldest first; the caller serialises decisions per
 * project, like concurrency admission.
 */
export type RateDecision =
  | { allowed: true; limit: number; remaining: number }
  | { allowed: false; limit: number; remaining: 0; retryAfterSeconds: number; resetSeconds: number };

export const RATE_WINDOW_MS = 60_000;

export function decideCreateRate(limitPerMinute: number | undefined, recent: readonly number[], now: number): RateDecision {
  if (limitPerMinute === undefined) return { allowed: true, limit: Number.MAX_SAFE_INTEGER, remaining: Number.MAX_SAFE_INTEGER };
  const inWindow = recent.filter((t) => t > now - RATE_WINDOW_MS);
  if (inWindow.length < limitPerMinute) return { allowed: true, limit: limitPerMinute, remaining: limitPerMinute - inWindow.length - 1 };
  // The window frees a slot when its oldest create leaves it.
  const frees = inWindow[inWindow.length - limitPerMinute]! + RATE_WINDOW_MS;
  const seconds = Math.max(1, Math.ceil((frees - now) / 1000));
  return { allowed: false, limit: limitPerMinute, remaining: 0, retryAfterSeconds: seconds, resetSeconds: seconds };
}
