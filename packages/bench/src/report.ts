import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeHeartbeat } from '@hangar/contracts';
import type { ForeignLoad } from './foreign-load.js';
import { BASELINE_HOW, type Measurements, type Row } from './targets.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  chromium: string;
}

export function describeMachine(chromePath: string): Machine {
  let chromium = 'unknown';
  try {
    chromium = execFileSync(chromePath, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Reported as unknown.
  }
  let osName = `${os.type()} ${os.release()}`;
  try {
    osName = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {
    // Keep the kernel's name.
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osName,
    kernel: os.release(),
    node: process.version,
    chromium,
  };
}

/** The table as Markdown, so the same text goes to the terminal and into the README. */
export function markdownTable(rows: Row[]): string {
  const lines = ['| # | measurement | Hangar | baseline | ratio | target | result |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.id} | ${r.metric} | ${r.hangar} | ${r.baseline} | ${r.ratio === null ? '—' : `${r.ratio}×`} | ${r.target} | ${r.pass === null ? '—' : r.pass ? 'pass' : '**miss**'} |`);
  }
  return lines.join('\n');
}

/** `<dir>/<timestamp>.json` and `<dir>/latest.json`; returns the first path. */
export function writeResults(dir: string, startedAt: Date, document: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  // JSON has no Infinity (a histogram's +Inf bucket bound): written as Prometheus spells it.
  const text = `${JSON.stringify(document, (_key, value: unknown) => (value === Infinity ? '+Inf' : value), 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(path.join(dir, 'latest.json'), text);
  return file;
}

/** Share of the CPUs other work may take during a step before the step is called unclean. */
const FOREIGN_CPU_SHARE = 0.05;

/** Steps during which other work on the machine took a noticeable share of the CPUs. */
export function uncleanSteps(foreignLoad: Record<string, ForeignLoad>): [string, ForeignLoad][] {
  return Object.entries(foreignLoad).filter(([name, f]) => name.startsWith('(') && f.cpuShare > FOREIGN_CPU_SHARE);
}

/** What the terminal shows at the end: header, the table, stage details and warnings. */
export function summaryText(r: {
  startedAt: Date;
  durationS: number;
  machine: Machine;
  node: NodeHeartbeat | undefined;
  rows: Row[];
  measurements: Measurements;
  serviceLogLines: number;
  foreignLoad: Record<string, ForeignLoad>;
}): string {
  const { machine: m, measurements: x } = r;
  const out: string[] = [
    '',
    `Hangar bench, ${r.startedAt.toISOString()} (${r.durationS} s)`,
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium}`,
    `browser-node defaults: maxSessions ${r.node?.maxSessions ?? '?'}, warm browsers ready at start ${r.node?.warmSlots ?? '?'}`,
    `baseline browsers (rows 2, 4, 5, 8): ${BASELINE_HOW[x.baselineMode]}`,
    '',
    markdownTable(r.rows),
    '',
  ];
  const stages = (s: Record<string, { p50: number }>) => Object.entries(s).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v.p50.toFixed(0)}`).join(', ');
  out.push(`(2) p50 by stage, ms: Hangar ${stages(x.lifecycle.hangar)}; baseline ${stages(x.lifecycle.baseline)}`);
  out.push(`(1) release right after create, ms: p50 ${x.create.paced.releaseMs.p50.toFixed(0)}, p99 ${x.create.paced.releaseMs.p99.toFixed(0)}; creates made before the pool refilled: ${x.create.paced.poolNotReady}`);
  for (const { hangar, baseline } of x.churn) {
    out.push(`(4) c=${hangar.concurrency}: iteration p50 / p99 ms: Hangar ${hangar.iterationMs.p50.toFixed(0)} / ${hangar.iterationMs.p99.toFixed(0)}, baseline ${baseline.iterationMs.p50.toFixed(0)} / ${baseline.iterationMs.p99.toFixed(0)}`);
    for (const [side, c] of [['Hangar', hangar], ['baseline', baseline]] as const) {
      if (c.errors > 0) out.push(`(4) c=${c.concurrency} ${side} errors: ${c.sampleErrors.join(' | ')}`);
    }
  }
  out.push(`service log lines at warn or above: ${r.serviceLogLines}`);
  const unclean = uncleanSteps(r.foreignLoad);
  if (unclean.length === 0) out.push('no other workload seen on the machine during the measurements');
  for (const [name, f] of unclean) {
    out.push(`OTHER WORKLOAD during ${name}: ≥ ${(f.cpuShare * 100).toFixed(0)}% of the CPUs, up to ${f.maxChromium} foreign Chromium processes (${f.topCommands.join(', ')}); this step's figures are not clean`);
  }
  return `${out.join('\n')}\n`;
}
