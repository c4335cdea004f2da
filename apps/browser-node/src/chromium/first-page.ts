import { LaunchFailed } from './chromium.launcher.js';

interface TargetInfo {
  type: string;
  url: string;
}

/**
 * Resolves once DevTools lists the browser's first page. Chromium prints its DevTools address
 * well before that page exists (145 ms vs 383 ms to a first evaluate in it, median on 2 vCPU,
 * shared/research/performance-reliability.md §2.2): a warm browser waits out the difference
 * before it joins the pool, so a session handed it finds its page already there.
 */
export async function firstPageListed(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1_000) });
      const targets = (await res.json()) as TargetInfo[];
      if (targets.some((t) => t.type === 'page' && t.url === 'about:blank')) return;
    } catch {
      // Not answering yet.
    }
    if (Date.now() > deadline) throw new LaunchFailed(`Chromium listed no first page within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
