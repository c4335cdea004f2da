import { randomUUID } from 'node:crypto';
import {
  refusal,
  startSessionReply,
  stopSessionReply,
  subjects,
  type CreateSessionCommand,
  type CreateSessionReply,
  type EndReason,
  type ReleaseSessionCommand,
  type ReleaseSessionReply,
  type SessionHandoff,
  type SessionEvent,
  type SessionSnapshot,
} from '@hangar/contracts';
import { decidePlacement, endStatusFor, foldSession, initialSessionState, sessionAggregate, toSnapshot, type Placement } from '@hangar/domain';
import { CommandUnavailable, executeCommand, executeCommands, loadAggregate, sendCommand, type EventStore, type StoredEvent } from '@hangar/messaging';
import type { ClientProxy } from '@nestjs/microservices';
import { KeyedQueue, type Logger } from '@hangar/runtime';
import { admissionRefusal, placementRefusal, sessionRequest } from './admission.refusals.js';
import type { SchedulerEnv } from './env.js';
import type { FleetRegistry } from './fleet.registry.js';
import type { ProjectLimits, SchedulerState } from './scheduler.state.js';

/** A create admitted and placed: its first events are in the log, the node is yet to start it. */
interface Scheduled {
  ok: true;
  sessionId: string;
  nodeId: string;
  history: StoredEvent<SessionEvent>[];
}

/** Admission, placement and the stop path: the scheduler's decisions, with the IO around them. */
export class SessionsService {
  private readonly projectQueue = new KeyedQueue();

  constructor(
    private readonly state: SchedulerState,
    private readonly fleet: FleetRegistry,
    private readonly store: EventStore,
    private readonly client: ClientProxy,
    private readonly env: SchedulerEnv,
    private readonly logger: Logger,
    /** Throws when this process no longer holds the leader lease. */
    private readonly assertLeader: () => Promise<void>,
  ) {}

  async create(cmd: CreateSessionCommand): Promise<CreateSessionReply> {
    const project = await this.project(cmd.projectId);
    if (!project) return refusal({ code: 'NOT_FOUND', message: `project ${cmd.projectId} not found` });
    const t0 = performance.now();
    // Admission and the append that makes the session count are one critical section per
    // project: creates racing for the last slot are decided one after the other.
    const scheduled = await this.projectQueue.run(cmd.projectId, () => this.admitAndSchedule(cmd, project));
    if (!scheduled.ok) return scheduled;
    return this.startOnNode(cmd, scheduled, t0);
  }

  private async admitAndSchedule(cmd: CreateSessionCommand, project: ProjectLimits) {
    await this.assertLeader();
    const load = { limits: project, recentCreates: this.state.createsInProject(cmd.projectId), active: this.state.activeInProject(cmd.projectId) };
    const refused = admissionRefusal(load, Date.now());
    if (refused) return refused;
    const placement = await this.place(cmd.region);
    if (!placement.placed) return placementRefusal(placement.reason, cmd.region);
    return this.schedule(cmd, project, placement.nodeId);
  }

  private async place(region: CreateSessionCommand['region']): Promise<Placement> {
    const placement = decidePlacement(this.fleet.loads(this.state.loadByNode()), region);
    if (placement.placed || placement.reason !== 'NO_REGION' || this.fleet.untilComplete() === 0) return placement;
    // Listening for heartbeats for less than a lost-interval (just started, just took over):
    // the region's nodes may simply not have been heard from yet.
    await this.fleet.awaitRegion(region);
    return decidePlacement(this.fleet.loads(this.state.loadByNode()), region);
  }

  /** SessionRequested and SessionScheduled appended together: one round trip for both. */
  private async schedule(cmd: CreateSessionCommand, project: ProjectLimits, nodeId: string): Promise<Scheduled> {
    const sessionId = randomUUID();
    const data = sessionRequest(cmd, project, sessionId, Date.now(), this.env.HANGAR_TIMEOUT_SECOND_MS);
    const scheduled = await executeCommands(
      this.store,
      sessionAggregate,
      sessionId,
      [{ type: 'Request', data }, { type: 'Schedule', nodeId }],
      { correlationId: cmd.correlationId },
      initialSessionState,
    );
    this.state.adopt(scheduled.state);
    this.fleet.notePlaced(nodeId);
    return { ok: true, sessionId, nodeId, history: scheduled.appended };
  }

  /** Asks the chosen node to start the session; a refusal or no answer ends it in the log. */
  private async startOnNode(cmd: CreateSessionCommand, { sessionId, nodeId, history }: Scheduled, t0: number): Promise<CreateSessionReply> {
    const log = this.logger.child({ sessionId, nodeId, correlationId: cmd.correlationId });
    const t1 = performance.now();
    try {
      const reply = await sendCommand(
        this.client,
        subjects.startSessionOnNode(nodeId),
        // The settings ride in history's SessionRequested, once.
        { correlationId: cmd.correlationId, sessionId, projectId: cmd.projectId, history },
        startSessionReply,
        this.env.HANGAR_START_TIMEOUT_MS,
      );
      if (reply.ok) {
        // Where a create's milliseconds go: queue + admission + two appends, then the node.
        log.debug({ admitMs: round(t1 - t0), startMs: round(performance.now() - t1), totalMs: round(performance.now() - t0) }, 'create timing');
        return { ok: true, value: reply.value };
      }
      log.warn({ error: reply.error }, 'node refused to start the session');
      await this.endInLog(sessionId, 'LAUNCH_FAILED', cmd.correlationId, reply.error.message);
      return refusal({ ...reply.error, code: reply.error.code === 'NO_CAPACITY' ? 'NO_CAPACITY' : 'LAUNCH_FAILED' });
    } catch (err) {
      if (!(err instanceof CommandUnavailable)) throw err;
      log.error({ err }, 'node did not answer the start command');
      await this.endInLog(sessionId, 'NODE_UNREACHABLE', cmd.correlationId, err.message);
      return refusal({ code: 'UNAVAILABLE', message: 'the browser node did not answer; retry the request' });
    }
  }

  /**
   * The project's limits. A project created a moment ago may not have reached this process's
   * follower yet (the gateway already authenticated its key): read its events from the log.
   */
  private async project(projectId: string) {
    const known = this.state.projects.get(projectId);
    if (known) return known;
    for (const { event, seq } of await this.store.read(subjects.projectEvents(projectId))) this.state.apply(event, seq);
    return this.state.projects.get(projectId);
  }

  async release(cmd: ReleaseSessionCommand): Promise<ReleaseSessionReply> {
    const current = this.state.session(cmd.sessionId) ?? (await loadAggregate(this.store, sessionAggregate, cmd.sessionId));
    if (current.kind === 'absent' || current.projectId !== cmd.projectId) {
      return refusal({ code: 'NOT_FOUND', message: `session ${cmd.sessionId} not found` });
    }
    const t0 = performance.now();
    let handoff: SessionHandoff | undefined;
    if (current.kind !== 'ended') {
      const requested = await executeCommand(this.store, sessionAggregate, cmd.sessionId, { type: 'RequestRelease' }, { correlationId: cmd.correlationId }, current);
      if (requested.appended.length > 0) handoff = { base: requested.base, events: requested.appended };
    }
    const t1 = performance.now();
    const snapshot = await this.stop(cmd.sessionId, 'RELEASED', cmd.correlationId, handoff);
    if (!snapshot) return refusal({ code: 'NOT_FOUND', message: `session ${cmd.sessionId} not found` });
    this.logger.debug({ sessionId: cmd.sessionId, correlationId: cmd.correlationId, requestMs: round(t1 - t0), stopMs: round(performance.now() - t1) }, 'release timing');
    return { ok: true, value: snapshot };
  }

  /**
   * Ends a session: the owning node tears the browser down and appends SessionEnded. When the
   * node cannot be reached (or never got the session), the scheduler records the end itself so
   * no session stays RUNNING for a browser nobody can reach.
   */
  async stop(sessionId: string, reason: EndReason, correlationId: string = randomUUID(), handoff?: SessionHandoff): Promise<SessionSnapshot | undefined> {
    const current = this.state.session(sessionId) ?? (await loadAggregate(this.store, sessionAggregate, sessionId));
    if (current.kind === 'absent') return undefined;
    if (current.kind === 'ended') return toSnapshot(current);
    const log = this.logger.child({ sessionId, nodeId: current.nodeId, correlationId });
    if (current.nodeId && this.fleet.isLive(current.nodeId)) {
      try {
        const reply = await sendCommand(
          this.client,
          subjects.stopSessionOnNode(current.nodeId),
          // `status` for nodes of the previous release; nodes now derive it from the reason.
          { correlationId, sessionId, status: endStatusFor(reason), reason, ...(handoff ? { handoff } : {}) },
          stopSessionReply,
          this.env.HANGAR_STOP_TIMEOUT_MS,
        );
        if (reply.ok) {
          // The node's SessionEnded, read after what this process already knows of the session.
          const known = this.state.session(sessionId) ?? current;
          this.state.adopt(foldSession(await this.store.read(subjects.sessionEvents(sessionId), known.version), known));
          return reply.value;
        }
        log.warn({ error: reply.error }, 'node refused to stop the session');
      } catch (err) {
        if (!(err instanceof CommandUnavailable)) throw err;
        log.warn({ err }, 'node did not answer the stop command');
      }
    }
    return this.endInLog(sessionId, reason, correlationId, current.nodeId ? `node ${current.nodeId} unreachable` : undefined);
  }

  /** Records the end without the node: it is unreachable, or never got the session. */
  async endInLog(sessionId: string, reason: EndReason, correlationId: string, detail?: string) {
    const { state } = await executeCommand(this.store, sessionAggregate, sessionId, { type: 'End', reason, ...(detail ? { detail } : {}) }, { correlationId });
    this.state.adopt(state);
    return toSnapshot(state);
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
