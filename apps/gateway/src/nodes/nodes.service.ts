import { Inject, Injectable } from '@nestjs/common';
import { schedulerStatusReply, subjects, type SchedulerStatus } from '@hangar/contracts';
import { NATS_CONNECTION, type NatsConnection } from '@hangar/messaging';
import { ApiError } from '../errors/api-error.js';
import type { NodeResource, NodeState } from './node.resource.js';

export type { NodeResource } from './node.resource.js';

/** An operator's probe: a scheduler that cannot answer within this is as good as absent. */
const STATUS_TIMEOUT_MS = 1_000;

/**
 * The fleet as the scheduler sees it. Nodes are not in the event log's read model (heartbeats are
 * liveness, not history), so the scheduler's in-memory registry is the only source: asked live.
 */
@Injectable()
export class NodesService {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async list(): Promise<NodeResource[]> {
    const status = await this.askScheduler();
    return status.nodes.map(presentNode).sort((a, b) => a.id.localeCompare(b.id));
  }

  private async askScheduler(): Promise<SchedulerStatus> {
    let raw: unknown;
    try {
      raw = (await this.nc.request(subjects.schedulerStatus, '{}', { timeout: STATUS_TIMEOUT_MS })).json();
    } catch {
      // No responder, no answer in time, NATS down: all the same to the caller.
      throw new ApiError('UNAVAILABLE', 'the scheduler did not answer; retry shortly', { 'retry-after': '1' });
    }
    // A reply that breaks the contract is our bug (or a version skew), not the caller's: a 500.
    const status = schedulerStatusReply.parse(raw);
    if (!status.ready) throw new ApiError('UNAVAILABLE', 'the scheduler is still rebuilding its state; retry shortly', { 'retry-after': '1' });
    return status;
  }
}

/** A node that stopped heartbeating is lost whatever it last said; draining is its own report. */
function presentNode(node: SchedulerStatus['nodes'][number]): NodeResource {
  const state: NodeState = !node.live ? 'lost' : node.draining ? 'draining' : 'ready';
  return {
    id: node.nodeId,
    region: node.region,
    endpoint: node.endpoint,
    state,
    maxSessions: node.maxSessions,
    running: node.running,
    load: node.load,
    lastHeartbeatAt: node.lastSeenAt,
  };
}
