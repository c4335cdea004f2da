import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import {
  refusal,
  type StartSessionCommand,
  type StartSessionReply,
  type StopSessionCommand,
  type StopSessionReply,
} from '@hangar/contracts';
import { compileProxyRules, decideStart, openProxyPasswords, foldSession, SessionRuleViolation, sessionAggregate, SHUTTING_DOWN, toSnapshot, type SessionState } from '@hangar/domain';
import { ARTIFACT_STORE, type ArtifactStore } from '@hangar/artifacts';
import { EVENT_STORE, executeCommand, type EventStore } from '@hangar/messaging';
import { isSealed, LOGGER, openSecret, type Logger } from '@hangar/runtime';
import { EgressGuard } from '../egress/egress-guard.js';
import { needsOwnLaunch } from '../chromium/chromium.flags.js';
import { launchChromium } from '../chromium/chromium.launcher.js';
import type { ChromiumProcess } from '../chromium/chromium.process.js';
import { WarmPool } from '../chromium/warm-pool.service.js';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import { ContextProfiles } from '../contexts/context-profiles.service.js';
import type { NodeConfig } from '../env.js';
import { unpackExtension } from '../extensions/unpack-extension.js';
import { BrowserIsolation } from '../isolation/browser-isolation.service.js';
import { NodeMetrics } from '../node/node-metrics.js';
import { NODE_CONFIG } from '../tokens.js';
import { requestedSession, type RequestedSession } from './requested-session.js';
import { SessionRegistry } from './session-registry.js';

function snapshotReply(state: SessionState) {
  const snapshot = toSnapshot(state);
  return snapshot ? { ok: true as const, value: snapshot } : refusal({ code: 'NOT_FOUND', message: 'session not found' });
}

/** A rule the log refused, as the command's answer. */
const ruleRefusal = (err: SessionRuleViolation) => refusal(err.toCommandError());

/** What the node does when told to start or stop a session, and when it shuts down. */
@Injectable()
export class SessionCommands {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: SessionRegistry,
    private readonly proxy: CdpProxy,
    private readonly pool: WarmPool,
    private readonly isolation: BrowserIsolation,
    private readonly metrics: NodeMetrics,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    private readonly contexts: ContextProfiles,
    private readonly egress: EgressGuard,
  ) {}

  async start(command: StartSessionCommand): Promise<StartSessionReply> {
    const { sessionId } = command;
    const live = this.registry.live.get(sessionId);
    const held = live?.state && !live.ending ? 'started' : live || this.registry.isLaunching(sessionId) ? 'starting' : 'absent';
    const slots = { nodeId: this.config.nodeId, phase: this.registry.phase, maxSessions: this.config.maxSessions, occupied: this.registry.sessionIds.length };
    const decision = decideStart(slots, held, sessionId);
    switch (decision.kind) {
      case 'refuse':
        return refusal(decision.error);
      case 'answer-started':
        return snapshotReply(live!.state!);
      case 'launch':
        return this.registry.trackLaunch(sessionId, this.launchAndStart(command));
    }
  }

  /**
   * A warm browser when the session's settings fit the pool's command line and one is ready, else
   * a launch of its own: a start never waits for the pool. `fresh` says why it launched. A warm
   * browser serves the settings its command line already has; the viewport, identity and request
   * fences are applied over CDP when the session binds it (sessions/session-shaping.ts).
   */
  private async acquire(
    sessionId: string,
    { browserSettings, projectId }: RequestedSession,
    logger: Logger,
  ): Promise<{ browser: ChromiumProcess; warm: boolean; fresh?: string }> {
    const { extensionId } = browserSettings;
    const ownLaunch = needsOwnLaunch(browserSettings, this.config.headless);
    if (ownLaunch === undefined && this.config.warmPoolSize > 0) {
      const browser = await this.pool.handOut(sessionId, logger);
      if (browser) return { browser, warm: true };
    }
    const browser = await launchChromium({
      chromePath: this.config.chromePath,
      folder: path.join(this.config.profilesRoot, sessionId),
      isolation: this.isolation,
      egressGuard: this.egress,
      browserSettings,
      headless: this.config.headless,
      prepareProfile: browserSettings.context ? (place) => this.contexts.restore(place, projectId, browserSettings, logger) : undefined,
      prepareExtension: extensionId
        ? (place) => unpackExtension({ artifacts: this.artifacts, projectId, extensionId, sessionRoot: place.folders.root, user: place.user, limits: this.config.extensionLimits })
        : undefined,
      timeoutMs: this.config.launchTimeoutMs,
      autogroupNice: this.config.autogroupNice,
      logger,
      onGoneConfirmed: () => this.metrics.teardownsConfirmed.inc(),
    });
    return { browser, warm: false, fresh: ownLaunch ?? (this.config.warmPoolSize > 0 ? 'pool empty' : 'no pool') };
  }

  private async launchAndStart(command: StartSessionCommand): Promise<StartSessionReply> {
    try {
      return await this.acquireAndStart(command);
    } finally {
      // After a hand-out the pool is one short; it waits for the starts under way before it launches.
      this.pool.refill();
    }
  }

  private async acquireAndStart(command: StartSessionCommand): Promise<StartSessionReply> {
    const { sessionId, correlationId } = command;
    const logger = this.logger.child({ sessionId, correlationId });
    const startedAt = Date.now();
    let requested: RequestedSession | undefined;
    try {
      requested = await requestedSession(command, this.store);
    } catch (err) {
      logger.error({ err }, 'could not read the session from the log');
      return refusal({ code: 'UNAVAILABLE', message: 'could not read the session from the event log; try again' });
    }
    if (!requested) return refusal({ code: 'NOT_FOUND', message: `session ${sessionId} was never requested` });
    const { known, browserSettings } = requested;
    // The gateway checked them against its pool; a node configured with another refuses rather than go direct.
    const opened = openProxyPasswords(requested.proxies, (sealed) => openSecret(this.config.internalSecret, sealed), isSealed);
    if (!opened.ok) return refusal({ code: 'LAUNCH_FAILED', message: `${opened.field} ${opened.message}` });
    const proxyRules = compileProxyRules(opened.proxies, this.config.proxyPool, sessionId);
    if (!proxyRules.ok) return refusal({ code: 'LAUNCH_FAILED', message: `${proxyRules.field} ${proxyRules.message}` });
    let acquired;
    try {
      acquired = await this.acquire(sessionId, requested, logger);
    } catch (err) {
      logger.error({ err }, 'chromium launch failed');
      this.metrics.launchFailed();
      return refusal({ code: 'LAUNCH_FAILED', message: err instanceof Error ? err.message : String(err) });
    }
    const { browser, warm, fresh } = acquired;
    const launchMs = Date.now() - startedAt;
    this.metrics.launched(warm ? 'warm' : 'fresh', launchMs);
    const projectId = known.kind === 'absent' ? '' : known.projectId;
    // Before any client reaches the browser: its traffic follows the session's rules from the first request.
    browser.egress.bind(proxyRules.rules, logger);
    const session = this.registry.register(sessionId, correlationId, browser, { projectId, browserSettings });
    return this.registry.queue.run(sessionId, async () => {
      // A drain lets a launch it found in flight run like any other session; a shutdown does not.
      if (this.registry.phase === 'stopping') {
        await this.registry
          .end(session, 'NODE_SHUTDOWN', { correlationId })
          .catch((err: unknown) => logger.error({ err }, 'could not end a session launched during shutdown'));
        return refusal(SHUTTING_DOWN);
      }
      try {
        const endpoint = this.proxy.sessionEndpoint(sessionId);
        // Folded from the events in hand (usually the scheduler's, with the command): no read on the way.
        const state = await this.registry.apply(session, { type: 'Start', nodeId: this.config.nodeId, endpoint, pid: browser.pid }, { correlationId }, known);
        // The data plane (telemetry) attaches alongside the answer; clients are spliced after it.
        this.registry.started(session);
        const totalMs = Date.now() - startedAt;
        logger.debug({ warm, ...(fresh ? { fresh } : {}), pid: browser.pid, launchMs, recordMs: totalMs - launchMs, totalMs }, 'session start timing');
        return snapshotReply(state);
      } catch (err) {
        // Typically released while its browser launched: the log says it ended, so the browser
        // must not outlive this answer.
        await this.registry.discard(session);
        if (err instanceof SessionRuleViolation) {
          logger.info({ rule: err.rule }, 'session cannot start; browser torn down');
          return ruleRefusal(err);
        }
        logger.error({ err }, 'could not record the session start; browser torn down');
        return refusal({ code: 'UNAVAILABLE', message: 'could not record the session start; try again' });
      }
    });
  }

  /**
   * Idempotent: a session this node does not run (already ended, never started here, still
   * launching) gets its End decided against the log, which for an ended session decides nothing
   * and answers its final state.
   */
  async stop(command: StopSessionCommand): Promise<StopSessionReply> {
    // The command's `status` is not read: the domain derives it from the reason.
    const { sessionId, correlationId, reason, handoff } = command;
    return this.registry.queue.run(sessionId, async () => {
      const session = this.registry.live.get(sessionId);
      // The scheduler's SessionReleaseRequested, appended on top of exactly what this node knows:
      // folded here, the End below appends without a conflict and a read of the log.
      if (session?.state && handoff && handoff.base === session.state.version) session.state = foldSession(handoff.events, session.state);
      try {
        const state = session
          ? await this.registry.end(session, reason, { correlationId })
          : (await executeCommand(this.store, sessionAggregate, sessionId, { type: 'End', reason }, { correlationId })).state;
        return snapshotReply(state);
      } catch (err) {
        if (err instanceof SessionRuleViolation) return ruleRefusal(err);
        this.logger.error({ err, sessionId, correlationId }, 'could not stop the session');
        return refusal({ code: 'UNAVAILABLE', message: 'could not record the session end; try again' });
      }
    });
  }

  /** Every browser down and every session ended NODE_SHUTDOWN, launches in flight included. */
  async shutdown(): Promise<void> {
    this.registry.phase = 'stopping';
    await this.registry.launchesSettled();
    await Promise.all(
      [...this.registry.live.values()].map((session) =>
        this.registry.queue
          .run(session.id, async () => {
            if (this.registry.live.get(session.id) !== session) return;
            await this.registry.end(session, 'NODE_SHUTDOWN', { correlationId: session.correlationId });
          })
          .catch((err: unknown) => this.logger.error({ err, sessionId: session.id }, 'could not end the session on shutdown')),
      ),
    );
    await this.registry.queue.idle();
    await this.registry.profilesRemoved();
  }
}
