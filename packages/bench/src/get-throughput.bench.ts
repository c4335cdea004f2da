import http from 'node:http';
import { since, summarize, type Summary } from './stats.js';

export interface GetThroughputResult {
  inFlight: number;
  seconds: number;
  ok: number;
  failed: number;
  requestsPerSecond: number;
  latencyMs: Summary;
  sampleErrors: string[];
}

/**
 * `GET /v1/sessions/:id` of one RUNNING session, `inFlight` requests at a time on keep-alive
 * sockets, for `seconds`. A running session's read is a Postgres row plus a JetStream
 * last-sequence check (read-your-writes); an ended one skips the check. The client runs on the
 * same CPUs as the stack, so this is what the box does, not what the gateway alone could do.
 */
export async function benchGetThroughput(apiUrl: string, apiKey: string, sessionId: string, inFlight: number, seconds: number): Promise<GetThroughputResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const url = new URL(`/v1/sessions/${sessionId}`, apiUrl);
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(url, { agent, method: 'GET', headers: { 'x-bb-api-key': apiKey } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end();
    });

  for (let i = 0; i < 200; i++) await get();
  const latencies: number[] = [];
  const sampleErrors: string[] = [];
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        const status = await get();
        if (status === 200) latencies.push(since(t));
        else {
          failed++;
          if (sampleErrors.length < 5) sampleErrors.push(`HTTP ${status}`);
        }
      } catch (err) {
        failed++;
        if (sampleErrors.length < 5) sampleErrors.push(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedS = since(t0) / 1000;
  agent.destroy();
  return { inFlight, seconds, ok: latencies.length, failed, requestsPerSecond: latencies.length / elapsedS, latencyMs: summarize(latencies), sampleErrors };
}
