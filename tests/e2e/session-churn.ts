import type { Stack } from '@hangar/stack';
import { api } from './harness.js';

/** A release that cannot get through in this long is given up on; the test's checks then name the session. */
const RELEASE_DEADLINE_MS = 60_000;
const RETRY_MS = 200;

export interface Churn {
  /** Every session a create answered 201 for. */
  readonly created: string[];
  /** Those whose release answered COMPLETED. */
  readonly released: Set<string>;
  /** Answers other than success, by request and status (`create 503`, `release fetch failed`). */
  readonly refusals: Map<string, number>;
  /** Resolves once `n` more sessions are released than at the call. */
  releasedMore(n: number, timeoutMs: number): Promise<void>;
  /** No new creates; resolves once every worker's session under way is released (or given up). */
  stop(): Promise<void>;
}

/**
 * `workers` clients in parallel, each creating a session through the REST API and releasing it,
 * over and over, as an SDK user would: a retryable answer (503, 429) or a failed request is
 * retried after a pause. A session once created is always released before its worker stops.
 */
export function churn(stack: Stack, workers: number): Churn {
  const created: string[] = [];
  const released = new Set<string>();
  const refusals = new Map<string, number>();
  let stopping = false;
  const refused = (what: string) => refusals.set(what, (refusals.get(what) ?? 0) + 1);
  const pause = () => new Promise((r) => setTimeout(r, RETRY_MS));

  const call = async (what: string, method: string, path: string, body: unknown) => {
    try {
      const res = await api(stack, method, path, body);
      if (res.status !== 200 && res.status !== 201) refused(`${what} ${res.status}`);
      return res;
    } catch (err) {
      refused(`${what} ${(err as Error).message}`);
      return undefined;
    }
  };

  const release = async (id: string) => {
    const deadline = Date.now() + RELEASE_DEADLINE_MS;
    while (Date.now() < deadline) {
      const res = await call('release', 'POST', `/v1/sessions/${id}`, { status: 'REQUEST_RELEASE' });
      if (res?.status === 200 && res.body.status === 'COMPLETED') return void released.add(id);
      await pause();
    }
  };

  const worker = async () => {
    while (!stopping) {
      const res = await call('create', 'POST', '/v1/sessions', {});
      if (res?.status !== 201) {
        await pause();
        continue;
      }
      created.push(res.body.id);
      await release(res.body.id);
    }
  };
  const running = Array.from({ length: workers }, () => worker());

  return {
    created,
    released,
    refusals,
    async releasedMore(n, timeoutMs) {
      const target = released.size + n;
      const deadline = Date.now() + timeoutMs;
      while (released.size < target) {
        if (Date.now() > deadline) {
          throw new Error(`churn: ${released.size} of ${target} sessions released after ${timeoutMs} ms; refusals: ${JSON.stringify([...refusals])}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      stopping = true;
      await Promise.all(running);
    },
  };
}
