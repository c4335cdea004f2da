import { repositories, type Database, type Kysely } from '@hangar/db';

const METRIC = 'hangar_projection_lag_seconds';

/** Cumulative bucket counts of the projector's lag histogram (Prometheus semantics). */
export interface LagHistogram {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export async function scrapeLagHistogram(metricsUrl: string): Promise<LagHistogram> {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`);
  const buckets: { le: number; count: number }[] = [];
  let count = 0;
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const bucket = new RegExp(`^${METRIC}_bucket\\{[^}]*le="([^"]+)"[^}]*\\}\\s+(\\S+)`).exec(line);
    if (bucket) buckets.push({ le: bucket[1] === '+Inf' ? Infinity : Number(bucket[1]), count: Number(bucket[2]) });
    else if (line.startsWith(`${METRIC}_count`)) count = Number(line.split(/\s+/).pop());
    else if (line.startsWith(`${METRIC}_sum`)) sum = Number(line.split(/\s+/).pop());
  }
  if (buckets.length === 0) throw new Error(`${metricsUrl} has no ${METRIC}`);
  return { buckets: buckets.sort((a, b) => a.le - b.le), count, sum };
}

/** What was observed between two scrapes. */
export function histogramDelta(before: LagHistogram, after: LagHistogram): LagHistogram {
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (before.buckets.find((x) => x.le === b.le)?.count ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * Like PromQL's histogram_quantile: linear within the bucket the rank falls in, so the value is
 * an estimate; whether it is at or below a bucket bound (0.1 s is one) is exact.
 */
export function histogramQuantile(h: LagHistogram, q: number): number {
  if (h.count === 0) return Number.NaN;
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lower;
      return lower + (b.le - lower) * ((rank - below) / Math.max(1, b.count - below));
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

/** The bucket the `q` quantile falls in, as [lower, upper] seconds: what the histogram knows for sure. */
export function quantileBucket(h: LagHistogram, q: number): [number, number] {
  const rank = q * h.count;
  let lower = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) return [lower, b.le];
    lower = b.le;
  }
  return [lower, Infinity];
}

/** Share of observations at or below `le` seconds (le must be a bucket bound). */
export function fractionAtOrBelow(h: LagHistogram, le: number): number {
  const b = h.buckets.find((x) => x.le === le);
  return b && h.count > 0 ? b.count / h.count : Number.NaN;
}

/**
 * The same lag from the read model, one sample per event that occurred in [fromMs, toMs]:
 * `events.recorded_at` is `now()` of the projector's transaction, i.e. its start, not its commit,
 * so this slightly underestimates the histogram's figure (taken after the commit). Millisecond
 * resolution, since `occurredAt` is an ISO string with milliseconds.
 */
export async function eventTableLagSamplesMs(db: Kysely<Database>, fromMs: number, toMs: number): Promise<number[]> {
  return repositories(db).events.recordingLagsMs(fromMs, toMs);
}
