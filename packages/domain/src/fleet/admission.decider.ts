/**
 * Per-project concurrency admission. `active` counts sessions admitted and not yet ended,
 * including those admitted a moment ago whose events are still in flight: the caller serialises
 * decisions per project, so two racing creates can never both see the last free slot.
 */
export type Admission =
  | { admitted: true; limit: number; remaining: number }
  | { admitted: false; limit: number; remaining: 0; retryAfterSeconds: number; resetSeconds: number };

export function decideAdmission(limit: number, active: number): Admission {
  if (active < limit) return { admitted: true, limit, remaining: limit - active - 1 };
  // A slot frees when some session ends, which we cannot predict; clients (the SDKs) back off
  // and retry on 429, so ask for a short, honest wait.
  return { admitted: false, limit, remaining: 0, retryAfterSeconds: 1, resetSeconds: 1 };
}
