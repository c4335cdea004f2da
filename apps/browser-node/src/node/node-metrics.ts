import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type LaunchKind = 'warm' | 'fresh';

/** What the gauges read when Prometheus scrapes: the same numbers the heartbeat carries. */
export interface NodeGaugeSources {
  sessionsRunning(): number;
  warmSlots(): number;
}

/**
 * The node's Prometheus metrics. Its own registry, created with the node (not with the ops
 * server), because the orphan sweep counts before anything listens; the ops server adds Node's
 * default metrics and the `service` label to it (@hangar/runtime ops-server.ts).
 */
@Injectable()
export class NodeMetrics {
  readonly registry = new Registry();
  private sources: NodeGaugeSources = { sessionsRunning: () => 0, warmSlots: () => 0 };

  /** Session starts by how their browser came: from the pool, launched for them, or not at all. Pool refills are not counted. */
  readonly launches = new Counter({
    name: 'hangar_node_launches_total',
    help: 'Session starts by browser source: warm (from the pool), fresh (launched for the session), failed (no browser)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly launchDuration = new Histogram({
    name: 'hangar_node_launch_duration_seconds',
    help: 'Time for a session start to get its browser: a warm hand-out or a fresh launch to its first page',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly teardownsConfirmed = new Counter({
    name: 'hangar_node_teardowns_confirmed_total',
    help: 'Browsers (sessions and warm) whose whole process group was seen gone after their SIGKILL',
    registers: [this.registry],
  });

  readonly orphansKilled = new Counter({
    name: 'hangar_node_orphans_killed_total',
    help: 'Chromium processes left by a previous run of this node and killed by the start-up sweep',
    registers: [this.registry],
  });

  constructor() {
    const sources = () => this.sources;
    new Gauge({
      name: 'hangar_node_sessions_running',
      help: 'Sessions holding a slot on this node (launches under way included), as the heartbeat reports them',
      registers: [this.registry],
      collect() {
        this.set(sources().sessionsRunning());
      },
    });
    new Gauge({
      name: 'hangar_node_warm_slots',
      help: 'Warm browsers ready to hand out now',
      registers: [this.registry],
      collect() {
        this.set(sources().warmSlots());
      },
    });
  }

  /** Bound once the registry and the pool exist (node-ops.service.ts). */
  observe(sources: NodeGaugeSources): void {
    this.sources = sources;
  }

  launched(kind: LaunchKind, ms: number): void {
    this.launches.inc({ kind });
    this.launchDuration.observe({ kind }, ms / 1000);
  }

  launchFailed(): void {
    this.launches.inc({ kind: 'failed' });
  }
}
