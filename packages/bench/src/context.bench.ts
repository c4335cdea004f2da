import puppeteer from 'puppeteer-core';
import { subjects } from '@hangar/contracts';
import type { EventStore } from '@hangar/messaging';
import { baselineMode, launchBaseline, type BaselineMode } from './baseline.browser.js';
import type { HangarClient } from './hangar.client.js';
import { since, summarize, type Summary } from './stats.js';

export interface ContextBenchResult {
  /** The sealed profile the sessions start from: bytes stored, files in it. */
  profile: { storedBytes: number; files: number; saveMs: number };
  /** create → connect → first page → goto, with the context (a fresh launch: no warm pool). */
  withContext: Summary;
  /** puppeteer.launch → first page → goto of the same Chromium with the node's flags, run as the baselines are (baseline.browser.ts). */
  coldLaunch: Summary;
  coldLaunchMode: BaselineMode;
  /** The same launch with --no-sandbox (what the bench's baselines were before they ran sandboxed), for comparison; absent when that is the mode. */
  coldUnsandboxed?: Summary;
}

/**
 * (8) A session whose context holds a ~20 MB profile, against a bare cold launch, alternating in
 * one run. The profile is made the way a user makes one: a persisting session whose page writes
 * `profileMb` MB of incompressible data into IndexedDB, released; its save is on the log by the
 * time the release answers (ContextSaved).
 */
export async function benchContext(client: HangarClient, store: EventStore, opts: { chromePath: string; siteUrl: string; n: number; profileMb: number; settle: () => Promise<unknown> }): Promise<ContextBenchResult> {
  const contextId = await client.createContext();
  const filler = await client.create({ browserSettings: { context: { id: contextId, persist: true } } });
  const browser = await puppeteer.connect({ browserWSEndpoint: filler.connectUrl });
  const [page] = await browser.pages();
  await page!.goto(opts.siteUrl);
  await page!.evaluate(fillIndexedDb(opts.profileMb));
  await browser.disconnect();
  const t0 = performance.now();
  await client.release(filler.id);
  const saveMs = since(t0);
  const saved = (await store.read(subjects.contextEvents(contextId))).map((e) => e.event).filter((e) => e.type === 'ContextSaved');
  const last = saved.at(-1);
  if (!last || last.type !== 'ContextSaved') throw new Error(`context ${contextId} holds no saved profile after its persisting session's release`);

  const withContext: number[] = [];
  const coldLaunch: number[] = [];
  const unsandboxed: number[] = [];
  for (let i = 0; i < opts.n; i++) {
    await opts.settle();
    withContext.push(await contextFirstPage(client, contextId, opts.siteUrl));
    await opts.settle();
    coldLaunch.push(await coldFirstPage(opts.chromePath, opts.siteUrl, baselineMode()));
    if (baselineMode() === 'unsandboxed') continue;
    await opts.settle();
    unsandboxed.push(await coldFirstPage(opts.chromePath, opts.siteUrl, 'unsandboxed'));
  }
  await client.deleteContext(contextId);
  return {
    profile: { storedBytes: last.data.bytes, files: last.data.files, saveMs },
    withContext: summarize(withContext),
    coldLaunch: summarize(coldLaunch),
    coldLaunchMode: baselineMode(),
    ...(unsandboxed.length ? { coldUnsandboxed: summarize(unsandboxed) } : {}),
  };
}

/** Page code (a string: the bench is compiled without the DOM's types) writing `mb` MiB of random bytes into IndexedDB. */
const fillIndexedDb = (mb: number) => `(async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('bench', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('blobs');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  for (let i = 0; i < ${mb}; i++) {
    const chunk = new Uint8Array(1 << 20);
    for (let o = 0; o < chunk.length; o += 65536) crypto.getRandomValues(chunk.subarray(o, o + 65536));
    await new Promise((resolve, reject) => {
      const tx = db.transaction('blobs', 'readwrite');
      tx.objectStore('blobs').put(chunk, 'chunk-' + i);
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  }
})()`;

async function contextFirstPage(client: HangarClient, contextId: string, url: string): Promise<number> {
  const t0 = performance.now();
  const session = await client.create({ browserSettings: { context: { id: contextId } } });
  const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
  try {
    const [page] = await browser.pages();
    await page!.goto(url);
    return since(t0);
  } finally {
    await client.release(session.id).catch(() => undefined);
    await browser.disconnect().catch(() => undefined);
  }
}

async function coldFirstPage(chromePath: string, url: string, as: BaselineMode): Promise<number> {
  const t0 = performance.now();
  const browser = await launchBaseline(chromePath, as);
  try {
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await page.goto(url);
    return since(t0);
  } finally {
    await browser.close().catch(() => undefined);
  }
}
