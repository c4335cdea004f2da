import { since, summarize, type Summary } from './stats.js';

export interface ChurnResult {
  concurrency: number;
  seconds: number;
  completed: number;
  errors: number;
  sessionsPerSecond: number;
  iterationMs: Summary;
  /** The first few error messages, for the report. */
  sampleErrors: string[];
  /** Wall-clock window (epoch ms), so the lag figures can select the events of this run. */
  startedAt: number;
  endedAt: number;
}

/**
 * `concurrency` workers, each repeating one full session (create → connect → goto → release)
 * until `seconds` have passed; an iteration in flight at the deadline finishes and counts, and
 * the rate is over the time until the last worker stopped. A failed iteration counts as an error
 * and the worker goes on after a short pause (a broken stack must not spin).
 */
export async function runChurn(iteration: () => Promise<unknown>, concurrency: number, seconds: number): Promise<ChurnResult> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const durations: number[] = [];
  const sampleErrors: string[] = [];
  let errors = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await iteration();
        durations.push(since(t));
      } catch (err) {
        errors++;
        if (sampleErrors.length < 5) sampleErrors.push(err instanceof Error ? err.message.slice(0, 300) : String(err));
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = since(t0) / 1000;
  return {
    concurrency,
    seconds,
    completed: durations.length,
    errors,
    sessionsPerSecond: durations.length / elapsedS,
    iterationMs: summarize(durations),
    sampleErrors,
    startedAt,
    endedAt: Date.now(),
  };
}
