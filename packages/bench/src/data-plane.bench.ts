import path from 'node:path';
import puppeteer, { type Browser, type CDPSession } from 'puppeteer-core';
import { commandLine } from '@hangar/chromium';
import { subjects } from '@hangar/contracts';
import type { EventStore } from '@hangar/messaging';
import { SERVICE_NODE_FLAGS } from '@hangar/stack';
import { runChurn, type ChurnResult } from './churn.bench.js';
import type { HangarClient } from './hangar.client.js';
import { hangarLifecycle } from './lifecycle.bench.js';
import { readsInChild, type ReadsResult, type ReadsSpec } from './download-reads.js';
import { sessionPid } from './run-processes.js';
import { since, summarize, type Summary } from './stats.js';

/** Recording and logging off: what a session costs without them (the defaults are both on). */
export const DATA_PLANE_OFF = { recordSession: false, logSession: false } as const;

export interface DataPlaneResult {
  /** Lifecycle totals, iterations alternating between the defaults and DATA_PLANE_OFF. */
  lifecycle: { defaults: Summary; off: Summary };
  churn: { defaults: ChurnResult; off: ChurnResult };
  /** Runtime.evaluate through the gateway, logging on vs off, alternating on two sessions. */
  cdp: { loggingOn: Summary; loggingOff: Summary; addedP50Ms: number };
  recording: { seconds: number; storedBytes: number; rawJsonBytes: number; events: number; storedBytesPerMinute: number };
  /**
   * Medians of DOWNLOAD_ROUNDS each, after one read not counted (`…FirstMs`: the first 100 MB through
   * a service's code since its start, while V8 still compiles it, as the other rows' warm-ups are);
   * `loopbackMs` is the same bytes from memory over one loopback HTTP hop (the machine's floor for a served byte).
   */
  downloads: {
    bytes: number;
    diskMs: number;
    loopbackMs: number;
    zipRunningMs: number;
    zipEndedMs: number;
    zipRunningFirstMs: number;
    zipEndedFirstMs: number;
    zipBytes: number;
    /** The same reads from the disk itself, the page cache dropped before each (root only; absent otherwise). */
    cold?: { diskMs: number; zipRunningMs: number; zipEndedMs: number };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Each downloads figure is the median of this many reads after the first: from the page cache (the file was just written), then from the disk with the cache dropped before each. */
const DOWNLOAD_ROUNDS = 5;

async function pageCdp(browser: Browser): Promise<CDPSession> {
  const [page] = await browser.pages();
  if (!page) throw new Error('the session has no page');
  return page.createCDPSession();
}

async function evaluateMs(cdp: CDPSession): Promise<number> {
  const t0 = performance.now();
  await cdp.send('Runtime.evaluate', { expression: '1+1', returnByValue: true });
  return since(t0);
}

/** The artifact's facts once the archiver (or the node, for downloads) has recorded them. */
async function storedArtifact(store: EventStore, sessionId: string, kind: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const events = await store.read(subjects.sessionEvents(sessionId));
    for (const { event } of events) if (event.type === 'SessionArtifactStored' && event.data.kind === kind) return event.data;
    await sleep(250);
  }
  throw new Error(`no ${kind} artifact for ${sessionId} after ${timeoutMs} ms`);
}

async function lifecycleCost(client: HangarClient, url: string, n: number, settle: () => Promise<unknown>) {
  const defaults: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < n * 2; i++) {
    await settle();
    const withDefaults = i % 2 === 0;
    const times = await hangarLifecycle(client, url, withDefaults ? undefined : DATA_PLANE_OFF);
    (withDefaults ? defaults : off).push(times.totalMs);
  }
  return { defaults: summarize(defaults), off: summarize(off) };
}

async function cdpCost(client: HangarClient, n: number) {
  const on = await client.create({ keepAlive: true });
  const offSession = await client.create({ keepAlive: true, browserSettings: DATA_PLANE_OFF });
  const browsers: Browser[] = [];
  try {
    browsers.push(await puppeteer.connect({ browserWSEndpoint: on.connectUrl }), await puppeteer.connect({ browserWSEndpoint: offSession.connectUrl }));
    const [logged, plain] = [await pageCdp(browsers[0]!), await pageCdp(browsers[1]!)];
    for (let i = 0; i < 100; i++) await Promise.all([evaluateMs(logged), evaluateMs(plain)]);
    const onMs: number[] = [];
    const offMs: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        onMs.push(await evaluateMs(logged));
        offMs.push(await evaluateMs(plain));
      } else {
        offMs.push(await evaluateMs(plain));
        onMs.push(await evaluateMs(logged));
      }
    }
    const loggingOn = summarize(onMs);
    const loggingOff = summarize(offMs);
    return { loggingOn, loggingOff, addedP50Ms: loggingOn.p50 - loggingOff.p50 };
  } finally {
    for (const b of browsers) await b.disconnect().catch(() => undefined);
    await client.release(on.id);
    await client.release(offSession.id);
  }
}

async function recordingWeight(client: HangarClient, store: EventStore, siteUrl: string, seconds: number) {
  const session = await client.create({ keepAlive: true });
  const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
  try {
    const [page] = await browser.pages();
    await page!.goto(new URL('/busy', siteUrl).href);
    await sleep(seconds * 1000);
  } finally {
    await browser.disconnect().catch(() => undefined);
    await client.release(session.id);
  }
  const artifact = await storedArtifact(store, session.id, 'recording');
  const answer = await fetchJson(client, `/v1/sessions/${session.id}/recording`);
  return {
    seconds,
    storedBytes: artifact.bytes,
    rawJsonBytes: answer.bytes,
    events: Array.isArray(answer.json) ? answer.json.length : 0,
    storedBytesPerMinute: (artifact.bytes / seconds) * 60,
  };
}

async function fetchJson(client: HangarClient, route: string): Promise<{ bytes: number; json: unknown }> {
  const { json, bytes } = await client.getJson(route);
  return { bytes, json };
}

/**
 * A session downloads a file; its zip is read while it runs (node → gateway → client) and after
 * its end (from the store), against reading the file from disk. The reads run in a client
 * process of their own, each after a quiet wait (download-reads.ts).
 */
export async function downloadsZip(client: HangarClient, store: EventStore, siteUrl: string, bytes: number) {
  const session = await client.create({ keepAlive: true });
  const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
  const url = client.url(`/v1/sessions/${session.id}/downloads`);
  const reads = (spec: Omit<ReadsSpec, 'rounds' | 'apiKey'>) => readsInChild({ rounds: DOWNLOAD_ROUNDS, apiKey: client.apiKey, ...spec }, SERVICE_NODE_FLAGS);
  let running: ReadsResult;
  try {
    const cdp = await browser.target().createCDPSession();
    const done = new Promise<void>((resolve, reject) => {
      cdp.on('Browser.downloadProgress', (e: { state: string }) => {
        if (e.state === 'completed') resolve();
        if (e.state === 'canceled') reject(new Error('the bench download was canceled'));
      });
    });
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: 'downloads', eventsEnabled: true });
    const [page] = await browser.pages();
    await page!.goto(new URL(`/download?bytes=${bytes}`, siteUrl).href).catch(() => undefined); // an attachment aborts the navigation
    await done;
    const profile = /--user-data-dir=(\S+)/.exec(commandLine(await sessionPid(store, session.id)) ?? '')?.[1];
    if (!profile) throw new Error('could not find the session profile from its command line');
    running = await reads({ folder: path.join(path.dirname(profile), 'downloads'), url, cold: true });
  } finally {
    await browser.disconnect().catch(() => undefined);
    await client.release(session.id);
  }
  await storedArtifact(store, session.id, 'downloads');
  const ended = await reads({ url, loopbackBytes: bytes, cold: true });
  const cold =
    running.diskColdMs !== undefined && running.getColdMs !== undefined && ended.getColdMs !== undefined
      ? { diskMs: running.diskColdMs, zipRunningMs: running.getColdMs, zipEndedMs: ended.getColdMs }
      : undefined;
  return {
    bytes,
    diskMs: running.diskMs!,
    loopbackMs: ended.loopbackMs!,
    zipRunningMs: running.getMs!,
    zipEndedMs: ended.getMs!,
    zipRunningFirstMs: running.getFirstMs!,
    zipEndedFirstMs: ended.getFirstMs!,
    zipBytes: ended.getBytes!,
    cold,
  };
}

export interface DataPlaneOptions {
  siteUrl: string;
  lifecycleN: number;
  churnConcurrency: number;
  churnSeconds: number;
  cdpN: number;
  recordingSeconds: number;
  downloadBytes: number;
  /** Off the clock before each paced iteration: the warm pool full again and the machine quiet. */
  settle: () => Promise<unknown>;
}

/** What recording and logging (on by default) cost every session, and what the files cost. */
export async function benchDataPlane(client: HangarClient, store: EventStore, o: DataPlaneOptions): Promise<DataPlaneResult> {
  const lifecycle = await lifecycleCost(client, o.siteUrl, o.lifecycleN, o.settle);
  const defaults = await runChurn(() => hangarLifecycle(client, o.siteUrl), o.churnConcurrency, o.churnSeconds);
  await o.settle();
  const off = await runChurn(() => hangarLifecycle(client, o.siteUrl, DATA_PLANE_OFF), o.churnConcurrency, o.churnSeconds);
  await o.settle();
  const cdp = await cdpCost(client, o.cdpN);
  const recording = await recordingWeight(client, store, o.siteUrl, o.recordingSeconds);
  await o.settle();
  const downloads = await downloadsZip(client, store, o.siteUrl, o.downloadBytes);
  return { lifecycle, churn: { defaults, off }, cdp, recording, downloads };
}
