import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, findChromium } from '@hangar/chromium';
import { freePort, startStack, type Stack } from '@hangar/stack';
import { baselineMode, baselinePids, configureBaseline } from './baseline.browser.js';
import { loadBenchConfig } from './bench.config.js';
import { benchCdpRoundTrip } from './cdp-roundtrip.bench.js';
import { runChurn } from './churn.bench.js';
import { benchCreateLatency } from './create-latency.bench.js';
import { benchContext } from './context.bench.js';
import { benchDataPlane } from './data-plane.bench.js';
import { benchEgress, EGRESS_SUBRESOURCES, egressRows } from './egress.bench.js';
import { benchGetThroughput } from './get-throughput.bench.js';
import { HangarClient } from './hangar.client.js';
import { benchIdleMemory } from './idle-memory.bench.js';
import { baselineLifecycle, benchLifecycle, hangarLifecycle } from './lifecycle.bench.js';
import { startLocalSite } from './local-site.js';
import { eventTableLagSamplesMs, histogramDelta, scrapeLagHistogram, type LagHistogram } from './projection-lag.bench.js';
import { describeMachine, summaryText, uncleanSteps, writeResults } from './report.js';
import { ForeignLoadMonitor } from './foreign-load.js';
import { nextHeartbeat, warmPoolReady } from './node.heartbeat.js';
import { leftovers } from './run-processes.js';
import { waitForQuiet } from './quiet-machine.js';
import { summarize } from './stats.js';
import { evaluateTargets, type Measurements } from './targets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const config = loadBenchConfig();
const chromePath = findChromium(config.CHROME_PATH);
if (!chromePath) throw new Error('Chromium not found; run: apt-get install -y chromium (or set CHROME_PATH)');
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startedAt = new Date();
// Another workload on the box would land in every figure: recorded, not corrected for.
const loadAverageAtStart = os.loadavg();
const foreign = new ForeignLoadMonitor(baselinePids);
const t0 = performance.now();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hangar-bench-'));
// Traversable (mkdtemp makes 0700): the runtime dir inside it holds what runs as other users
// (Postgres, the browsers), and the leftover check below finds them by this path.
chmodSync(dataDir, 0o711);
configureBaseline({ profilesRoot: dataDir });
const logs: string[] = [];
const site = await startLocalSite();
const opsPort = await freePort();
const churnLevels = config.BENCH_CHURN_CONCURRENCY;
const sessionsHeld = Math.max(config.BENCH_IDLE_SESSIONS, ...churnLevels) + 1;
let stack: Stack | undefined;
const quietWaits: { before: string; waitedMs: number; quiet: boolean; busy: number }[] = [];
/** The paced iterations' waits: how many, and how many gave up (machine busy, pool not full). */
const settling = { waits: 0, notQuiet: 0, poolNotFull: 0 };
const quiet = async (before: string) => {
  const w = await waitForQuiet();
  quietWaits.push({ before, ...w });
  if (!w.quiet) progress(`machine still ${(w.busy * 100).toFixed(0)}% busy before ${before}; measuring anyway`);
};

// Ctrl-C mid-run: take the stack (and its browsers) down before leaving.
process.once('SIGINT', () => {
  progress('interrupted; stopping the stack');
  void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
});

async function measure(s: Stack): Promise<Measurements> {
  const client = new HangarClient(s);
  const metricsUrl = `http://127.0.0.1:${opsPort}/metrics`;

  await quiet('start');
  node = await nextHeartbeat(s.nc);
  progress(`browser-node: maxSessions ${node?.maxSessions ?? '?'}, warm browsers ready ${node?.warmSlots ?? '?'}`);
  // Off the clock before each paced iteration: the pool full again (as at the start) and the
  // machine quiet, so one iteration does not pay for the previous one's refill or teardown.
  const fullPool = node?.warmSlots ?? 0;
  const settle = async () => {
    const w = await waitForQuiet({ timeoutMs: 5_000 });
    settling.waits++;
    if (!w.quiet) settling.notQuiet++;
  };
  const poolReady = async () => {
    const full = await warmPoolReady(s.nc, fullPool);
    if (!full) settling.poolNotFull++;
    await settle();
    return full;
  };
  progress(`(1) POST /v1/sessions latency: ${config.BENCH_CREATE_N} paced creates, then ${config.BENCH_CREATE_N} back to back`);
  await quiet('create latency');
  foreign.phase('(1) create latency');
  const create = await benchCreateLatency(client, config.BENCH_CREATE_N, config.BENCH_WARMUP, poolReady);
  progress(`(2) lifecycle: ${config.BENCH_LIFECYCLE_N} through Hangar, then ${config.BENCH_LIFECYCLE_N} with puppeteer.launch`);
  foreign.phase('(2) lifecycle');
  const lifecycle = await benchLifecycle(client, chromePath!, site.url, config.BENCH_LIFECYCLE_N, config.BENCH_WARMUP, poolReady, settle);
  progress(`(3) CDP round trip: ${config.BENCH_CDP_N} per path`);
  await quiet('CDP round trip');
  foreign.phase('(3) CDP round trip');
  const cdp = await benchCdpRoundTrip(client, s.store, config.BENCH_CDP_N);
  progress(`(5) idle memory: ${config.BENCH_IDLE_SESSIONS} sessions, then as many plain browsers`);
  foreign.phase('(5) idle memory');
  const memory = await benchIdleMemory(client, s.store, chromePath!, config.BENCH_IDLE_SESSIONS);

  const churn: Measurements['churn'] = [];
  const lagDeltas: LagHistogram[] = [];
  const lagSamples: number[] = [];
  for (const c of churnLevels) {
    progress(`(4) churn at concurrency ${c}: ${config.BENCH_CHURN_SECONDS} s Hangar, then ${config.BENCH_CHURN_SECONDS} s puppeteer.launch`);
    await quiet(`Hangar churn c=${c}`);
    foreign.phase(`(4) Hangar churn c=${c}`);
    const before = await scrapeLagHistogram(metricsUrl);
    const hangar = await runChurn(() => hangarLifecycle(client, site.url), c, config.BENCH_CHURN_SECONDS);
    // The last iterations' events are still on their way to the projector.
    await sleep(1_000);
    lagDeltas.push(histogramDelta(before, await scrapeLagHistogram(metricsUrl)));
    lagSamples.push(...(await eventTableLagSamplesMs(s.db, hangar.startedAt, hangar.endedAt)));
    await quiet(`baseline churn c=${c}`);
    foreign.phase(`(4) baseline churn c=${c}`);
    const baseline = await runChurn(() => baselineLifecycle(chromePath!, site.url), c, config.BENCH_CHURN_SECONDS);
    churn.push({ hangar, baseline });
  }
  const histogram = lagDeltas.reduce((sum, d) => ({
    buckets: sum.buckets.map((b, i) => ({ le: b.le, count: b.count + (d.buckets[i]?.count ?? 0) })),
    count: sum.count + d.count,
    sum: sum.sum + d.sum,
  }));

  progress(`(6) GET /v1/sessions/:id: ${config.BENCH_GET_IN_FLIGHT} in flight for ${config.BENCH_GET_SECONDS} s`);
  const session = await client.create({ keepAlive: true });
  await quiet('GET throughput');
  foreign.phase('(6) GET throughput');
  const gets = await benchGetThroughput(s.apiUrl, s.apiKey, session.id, config.BENCH_GET_IN_FLIGHT, config.BENCH_GET_SECONDS).finally(() => client.release(session.id));
  progress(`(7) data plane: recording and logging on (the defaults) against off; a busy page's recording; a ${config.BENCH_DOWNLOAD_MB} MB downloads zip`);
  await quiet('data plane');
  foreign.phase('(7) data plane');
  const dataPlane = await benchDataPlane(client, s.store, {
    siteUrl: site.url,
    lifecycleN: config.BENCH_DATA_PLANE_N,
    churnConcurrency: config.BENCH_DATA_PLANE_CONCURRENCY,
    churnSeconds: config.BENCH_DATA_PLANE_CHURN_SECONDS,
    cdpN: config.BENCH_CDP_N,
    recordingSeconds: config.BENCH_RECORDING_SECONDS,
    downloadBytes: config.BENCH_DOWNLOAD_MB * 1e6,
    settle: poolReady,
  });
  progress(`(8) contexts: a session with a ${config.BENCH_CONTEXT_PROFILE_MB} MB profile against a cold launch, ${config.BENCH_CONTEXT_N} each`);
  await quiet('contexts');
  foreign.phase('(8) contexts');
  const context = await benchContext(client, s.store, { chromePath: chromePath!, siteUrl: site.url, n: config.BENCH_CONTEXT_N, profileMb: config.BENCH_CONTEXT_PROFILE_MB, settle });
  progress(`(9) egress: a page with ${EGRESS_SUBRESOURCES} subresources through a session's proxy path, through an upstream, and in a plain Chromium, ${config.BENCH_EGRESS_N} each`);
  await quiet('egress');
  foreign.phase('(9) egress');
  const egress = await benchEgress(client, s, { chromePath: chromePath!, siteUrl: site.url, n: config.BENCH_EGRESS_N, held: config.BENCH_EGRESS_HELD, settle });
  return { create, lifecycle, cdp, churn, memory, lag: { histogram, eventTableMs: summarize(lagSamples) }, gets, dataPlane, context, egress, baselineMode: baselineMode() };
}

let measurements: Measurements | undefined;
let node: Awaited<ReturnType<typeof nextHeartbeat>>;
let failure: unknown;
try {
  progress(`starting the stack in ${dataDir}`);
  stack = await startStack({
    dataDir,
    runtimeDir: dataDir,
    port: 0,
    concurrency: 32,
    nodes: 1,
    logLevel: 'warn',
    env: {
      projector: { HANGAR_OPS_PORT: String(opsPort) },
      // The node's own defaults (capacity, warm pool) are what is measured; its session cap is
      // raised only when the bench would hold more sessions than its by-CPU default (4 per CPU)
      // allows, e.g. many idle sessions on a small machine.
      ...(sessionsHeld > 4 * os.availableParallelism() ? { 'browser-node': { HANGAR_MAX_SESSIONS: String(sessionsHeld) } } : {}),
    },
    log: (line) => {
      logs.push(line);
      if (config.BENCH_LOGS) process.stderr.write(`${line}\n`);
    },
  });
  measurements = await measure(stack);
} catch (err) {
  failure = err;
  progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  foreign.phase('teardown');
  progress('stopping the stack');
  await stack?.stop();
  await site.close();
}

// Nothing of this run may outlive it: session browsers (marked by the data dir in their
// command line), baseline browsers (their process groups), Postgres and NATS (the data dir).
let left = leftovers(baselinePids, dataDir);
for (let waited = 0; left.length > 0 && waited < 5_000; waited += 100) {
  await sleep(100);
  left = leftovers(baselinePids, dataDir);
}
const describePid = (pid: number) => `${pid} ${commandLine(pid)?.slice(0, 200) ?? '(gone)'}`;
const leftoverProcesses = left.map(describePid);
if (left.length > 0) {
  progress(`LEFTOVER processes after stop; killing them:\n  ${leftoverProcesses.join('\n  ')}`);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
} else progress('no Chromium (or any other process of this run) left running');
rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });

const foreignLoad = foreign.stop();
const durationS = Math.round((performance.now() - t0) / 100) / 10;
const machine = describeMachine(chromePath);
const rows = measurements ? [...evaluateTargets(measurements), ...(measurements.egress ? egressRows(measurements.egress, measurements.baselineMode) : [])] : [];
const resultsDir = config.BENCH_RESULTS_DIR ?? path.join(ROOT, 'bench', 'results');
const file = writeResults(resultsDir, startedAt, {
  startedAt: startedAt.toISOString(),
  durationS,
  machine,
  node: node ? { maxSessions: node.maxSessions, warmSlotsAtStart: node.warmSlots } : null,
  loadAverageAtStart,
  foreignLoad,
  /** Steps during which other work took more than 5% of the CPUs: their figures are not clean. */
  uncleanSteps: uncleanSteps(foreignLoad).map(([name]) => name),
  quietWaits,
  settling,
  config: { ...config, CHROME_PATH: chromePath },
  rows,
  measurements,
  leftoverPids: left,
  leftoverProcesses,
  error: failure === undefined ? null : String(failure),
  serviceLogTail: logs.slice(-50),
  serviceLogLines: logs.length,
});

if (measurements) process.stdout.write(summaryText({ startedAt, durationS, machine, node, rows, measurements, serviceLogLines: logs.length, foreignLoad }));
process.stdout.write(`results: ${path.relative(process.cwd(), file)} (and latest.json)\n`);
process.exit(failure !== undefined || left.length > 0 ? 1 : 0);
