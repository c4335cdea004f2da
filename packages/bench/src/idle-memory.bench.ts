import type { Browser } from 'puppeteer-core';
import { groupMembers, groupPssBytes } from '@hangar/chromium';
import type { EventStore } from '@hangar/messaging';
import { launchBaseline } from './baseline.browser.js';
import { sessionPid } from './run-processes.js';
import type { HangarClient } from './hangar.client.js';
import { summarize, type Summary } from './stats.js';

export interface IdleMemoryResult {
  sessions: number;
  settleMs: number;
  /** PSS per session's Chromium process group, MiB. */
  hangarPssMiB: Summary;
  hangarProcessesPerSession: number;
  /** The same for plain puppeteer.launch browsers held side by side, MiB. */
  baselinePssMiB: Summary;
  baselineProcessesPerBrowser: number;
}

const MiB = 2 ** 20;
const SETTLE_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * K sessions created and left idle (nobody connected), then the PSS of each one's process group
 * (the node spawns each Chromium detached, so the SessionStarted pid is its group id). PSS
 * divides shared pages among their sharers, so the figure depends on K: K browsers side by
 * side share Chromium's text pages K ways. The baseline holds K plain launches the same way.
 */
export async function benchIdleMemory(client: HangarClient, store: EventStore, chromePath: string, k: number): Promise<IdleMemoryResult> {
  const ids: string[] = [];
  let hangar: { pss: number; procs: number }[];
  try {
    for (let i = 0; i < k; i++) ids.push((await client.create({ keepAlive: true })).id);
    const pids = await Promise.all(ids.map((id) => sessionPid(store, id)));
    await sleep(SETTLE_MS);
    hangar = pids.map((pid) => ({ pss: groupPssBytes(pid), procs: groupMembers(pid).length }));
  } finally {
    for (const id of ids) await client.release(id).catch(() => undefined);
  }

  const browsers: Browser[] = [];
  let baseline: { pss: number; procs: number }[];
  try {
    for (let i = 0; i < k; i++) browsers.push(await launchBaseline(chromePath));
    await sleep(SETTLE_MS);
    baseline = browsers.map((b) => {
      const pid = b.process()!.pid!;
      return { pss: groupPssBytes(pid), procs: groupMembers(pid).length };
    });
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    sessions: k,
    settleMs: SETTLE_MS,
    hangarPssMiB: summarize(hangar.map((h) => h.pss / MiB)),
    hangarProcessesPerSession: mean(hangar.map((h) => h.procs)),
    baselinePssMiB: summarize(baseline.map((b) => b.pss / MiB)),
    baselineProcessesPerBrowser: mean(baseline.map((b) => b.procs)),
  };
}
