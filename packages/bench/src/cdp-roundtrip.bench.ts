import puppeteer, { type Browser, type CDPSession } from 'puppeteer-core';
import { devtoolsAddress } from '@hangar/chromium';
import type { EventStore } from '@hangar/messaging';
import { sessionPid } from './run-processes.js';
import type { HangarClient } from './hangar.client.js';
import { since, summarize, type Summary } from './stats.js';

export interface CdpRoundTripResult {
  method: string;
  viaGatewayMs: Summary;
  directMs: Summary;
  /** Percentile of the proxied path minus the same percentile of the direct one. */
  addedP50Ms: number;
  addedP99Ms: number;
}

async function pageSession(browser: Browser): Promise<CDPSession> {
  const [page] = await browser.pages();
  if (!page) throw new Error('no page to evaluate in');
  return page.createCDPSession();
}

const evaluate = async (cdp: CDPSession) => {
  const t0 = performance.now();
  const { result } = await cdp.send('Runtime.evaluate', { expression: '1+1', returnByValue: true });
  const ms = since(t0);
  if (result.value !== 2) throw new Error(`Runtime.evaluate answered ${JSON.stringify(result)}`);
  return ms;
};

/**
 * One CDP round trip on an open socket, two ways to the same page of the same Chromium: through
 * the connectUrl (client → gateway → node → Chromium) and straight to Chromium's own DevTools
 * socket, found via the SessionStarted pid → its --user-data-dir → DevToolsActivePort. Calls
 * alternate between the two paths so both see the same machine state.
 */
export async function benchCdpRoundTrip(client: HangarClient, store: EventStore, n: number): Promise<CdpRoundTripResult> {
  const session = await client.create({ keepAlive: true });
  const viaGateway = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
  let direct: Browser | undefined;
  try {
    direct = await puppeteer.connect({ browserWSEndpoint: devtoolsAddress(await sessionPid(store, session.id)) });
    const [proxied, raw] = [await pageSession(viaGateway), await pageSession(direct)];
    for (let i = 0; i < 100; i++) {
      await evaluate(proxied);
      await evaluate(raw);
    }
    const viaMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        viaMs.push(await evaluate(proxied));
        directMs.push(await evaluate(raw));
      } else {
        directMs.push(await evaluate(raw));
        viaMs.push(await evaluate(proxied));
      }
    }
    const via = summarize(viaMs);
    const dir = summarize(directMs);
    return { method: 'Runtime.evaluate("1+1") on a page CDPSession (puppeteer-core)', viaGatewayMs: via, directMs: dir, addedP50Ms: via.p50 - dir.p50, addedP99Ms: via.p99 - dir.p99 };
  } finally {
    await direct?.disconnect().catch(() => undefined);
    await viaGateway.disconnect().catch(() => undefined);
    await client.release(session.id);
  }
}
