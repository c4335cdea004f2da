import { nodeHeartbeatMessage, subjects, type NodeHeartbeat, type SchedulerStatus } from '@hangar/contracts';
import type { NodeLoad } from '@hangar/domain';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@hangar/runtime';

interface NodeEntry {
  heartbeat: NodeHeartbeat;
  lastSeen: number;
  /** Reported lost (NodeLeft LOST) and not heard from since. */
  lost: boolean;
  /** Sessions placed on it since its last heartbeat (each may have taken a warm browser). */
  placed: number;
}

/**
 * Live browser-nodes, from their heartbeats (core NATS, every second). Liveness is soft state:
 * nothing here is in the event log, and a restarted scheduler knows every node again within one
 * heartbeat interval.
 */
export class FleetRegistry {
  private readonly nodes = new Map<string, NodeEntry>();
  private sub?: Subscription;
  private listeningSince?: number;

  constructor(
    private readonly nodeLostMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  listen(nc: NatsConnection): void {
    this.listeningSince = this.now();
    this.sub = nc.subscribe(subjects.allNodeHeartbeats, {
      callback: (err, msg) => {
        if (err) return;
        const parsed = nodeHeartbeatMessage.safeParse(msg.json());
        if (!parsed.success) return this.logger.warn({ subject: msg.subject }, 'malformed heartbeat ignored');
        this.heard(parsed.data);
      },
    });
  }

  /** A node's heartbeat: it is live, with what it reports, from now. */
  heard(heartbeat: NodeHeartbeat): void {
    const known = this.nodes.get(heartbeat.nodeId);
    this.nodes.set(heartbeat.nodeId, { heartbeat, lastSeen: this.now(), lost: false, placed: 0 });
    if (!known || known.lost) this.logger.info({ nodeId: heartbeat.nodeId, region: heartbeat.region, returned: !!known }, 'node seen');
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  /**
   * Milliseconds until every live node has certainly been heard from: a node that has not sent a
   * heartbeat within one lost-interval of this registry starting to listen is not live. Before
   * that, "no node serves the region" may only mean "not heard from yet" (a scheduler that
   * started a moment ago and took over at once).
   */
  untilComplete(): number {
    if (this.listeningSince === undefined) return this.nodeLostMs;
    return Math.max(0, this.listeningSince + this.nodeLostMs - this.now());
  }

  /** Waits until a live node of `region` is known, or the registry is complete (untilComplete). */
  async awaitRegion(region: string): Promise<void> {
    const hasRegion = () => [...this.nodes.entries()].some(([nodeId, e]) => e.heartbeat.region === region && this.isLive(nodeId));
    while (!hasRegion() && this.untilComplete() > 0) await new Promise((r) => setTimeout(r, Math.min(25, this.untilComplete())));
  }

  /** Nodes whose heartbeats stopped since the last call: each is reported once. */
  newlyLost(): string[] {
    const lost: string[] = [];
    for (const [nodeId, entry] of this.nodes) {
      if (!entry.lost && !this.isLive(nodeId)) {
        entry.lost = true;
        lost.push(nodeId);
      }
    }
    return lost;
  }

  notePlaced(nodeId: string): void {
    const entry = this.nodes.get(nodeId);
    if (entry) entry.placed++;
  }

  private placedSinceHeartbeat(nodeId: string): number {
    return this.nodes.get(nodeId)?.placed ?? 0;
  }

  /** A node that left cleanly (NodeLeft SHUTDOWN) is simply forgotten. */
  forget(nodeId: string): void {
    this.nodes.delete(nodeId);
  }

  isLive(nodeId: string): boolean {
    const entry = this.nodes.get(nodeId);
    return !!entry && this.now() - entry.lastSeen <= this.nodeLostMs;
  }

  /** Live nodes with the scheduler's own count of their sessions (it includes fresh placements). */
  loads(sessionsByNode: Map<string, number>): NodeLoad[] {
    const out: NodeLoad[] = [];
    for (const [nodeId, { heartbeat }] of this.nodes) {
      if (!this.isLive(nodeId)) continue;
      out.push({
        nodeId,
        region: heartbeat.region,
        maxSessions: heartbeat.maxSessions,
        load: Math.max(sessionsByNode.get(nodeId) ?? 0, heartbeat.running),
        draining: heartbeat.draining,
        // A slot is handed out by each placement until the next heartbeat says otherwise.
        warmSlots: Math.max(0, heartbeat.warmSlots - this.placedSinceHeartbeat(nodeId)),
      });
    }
    return out;
  }

  status(sessionsByNode: Map<string, number>): SchedulerStatus['nodes'] {
    return [...this.nodes.entries()].map(([nodeId, { heartbeat, lastSeen }]) => ({
      nodeId,
      region: heartbeat.region,
      endpoint: heartbeat.endpoint,
      maxSessions: heartbeat.maxSessions,
      running: heartbeat.running,
      warmSlots: heartbeat.warmSlots,
      load: sessionsByNode.get(nodeId) ?? 0,
      live: this.isLive(nodeId),
      draining: heartbeat.draining,
      lastSeenAt: new Date(lastSeen).toISOString(),
    }));
  }
}
