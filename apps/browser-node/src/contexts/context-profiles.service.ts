import path from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ARTIFACT_STORE, type ArtifactStore } from '@hangar/artifacts';
import type { BrowserSettings } from '@hangar/contracts';
import { contextAggregate, ContextRuleViolation, contextProfileKey, prunableProfileKeys, usableContext } from '@hangar/domain';
import { EVENT_STORE, executeCommand, loadAggregate, type EventStore } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { NodeConfig } from '../env.js';
import type { PreparedProfile } from '../chromium/chromium.launcher.js';
import type { BrowserPlace } from '../isolation/browser-isolation.service.js';
import type { LiveSession } from '../sessions/live-session.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';
import { openProfile, sealedBytesFor, sealProfile } from './profile-cipher.js';
import { packProfile } from './profile-pack.js';
import { restoreProfile, writePreferences } from './profile-restore.js';

export class ContextUnavailable extends Error {}

/**
 * A session's context (`browserSettings.context {id, persist}`): its saved profile is restored
 * into the browser's fresh profile folder before Chromium starts, and, with `persist: true`, the
 * profile is saved back when the session ends: after the browser's graceful exit (CDP Browser.close,
 * so Chromium writes its cookies and storage out) and before SessionEnded, so a session that reads
 * COMPLETED has its profile in the context (SessionRegistry's `persist` hooks).
 *
 * A save is atomic and versioned: the sealed tar goes to a key of its own (one per session), and
 * only a whole stored object is then recorded by ContextSaved, appended on the context's stream
 * with its version expected; two sessions ending together record versions n+1 and n+2, and the
 * last one appended is the context's profile (last writer wins). A crash or a killed node before
 * the append leaves an object nothing points at, and the context as it was. A deleted context
 * records no save: the object just stored goes again.
 *
 * The context is read on the events (the only source of truth) with the session's own project:
 * another project's context is never restored, whatever a client named.
 */
@Injectable()
export class ContextProfiles implements OnModuleInit {
  constructor(
    private readonly registry: SessionRegistry,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (!this.config.contextKey) this.logger.warn('HANGAR_CONTEXT_KEY is not set: sessions with a context cannot start on this node');
    this.registry.addHook({ name: 'contexts', persist: (s) => this.save(s) });
  }

  /**
   * Puts the context's profile into the browser's profile folder; the launch fails when it cannot.
   * Resolves once the browser may start (profile-restore.ts `early`), with `finished` for the
   * stores still being written: the launch waits for it before anything reaches the browser.
   */
  async restore(place: BrowserPlace, projectId: string, browserSettings: BrowserSettings, logger: Logger): Promise<PreparedProfile | void> {
    const contextId = browserSettings.context?.id;
    if (contextId === undefined) return;
    const key = this.key();
    const opening = performance.now();
    const { context } = await loadAggregate(this.events, contextAggregate, contextId);
    const usable = usableContext(context, projectId);
    if (!usable) throw new ContextUnavailable(`context ${contextId} is not a context of this project (deleted?)`);
    if (!usable.profile) {
      await writePreferences(path.join(place.folders.profile, 'Default', 'Preferences'), place.folders, place.user);
      return void logger.info({ contextId }, 'context has no saved profile yet: empty profile');
    }
    const t0 = performance.now();
    const body = await this.artifacts.stream(usable.profile.key);
    const openMs = Math.round(performance.now() - opening);
    if (!body) throw new ContextUnavailable(`context ${contextId}'s profile (version ${usable.profile.version}) is not in the artifact store`);
    let earlyMs: number | undefined;
    let startBrowser!: () => void;
    const early = new Promise<void>((resolve) => (startBrowser = resolve));
    const finished = restoreProfile(body, openProfile(key, usable.profile.key), place.folders, place.user, this.config.profileRules, () => {
      earlyMs = Math.round(performance.now() - t0);
      startBrowser();
    }).then((restored) => {
      logger.info({ contextId, version: usable.profile!.version, ...restored, openMs, earlyMs, restoreMs: Math.round(performance.now() - t0) }, 'context profile restored');
    });
    // Handled here as well: the launch awaits it, unless it failed before the browser started.
    finished.catch(() => undefined);
    await Promise.race([early, finished]);
    return { finished };
  }

  private async save(session: LiveSession): Promise<void> {
    const context = session.browserSettings.context;
    if (!context?.persist) return;
    const key = this.key();
    const logger = this.logger.child({ sessionId: session.id, contextId: context.id });
    const objectKey = contextProfileKey(session.projectId, context.id, session.id);
    const t0 = performance.now();
    const sealed = sealProfile(key, objectKey);
    const rules = this.config.profileRules;
    const [packed, stored] = await Promise.all([
      packProfile(session.browser.folders.profile, sealed, rules, session.browser.user?.uid),
      this.artifacts.put(objectKey, sealed, { maxBytes: sealedBytesFor(rules.maxBytes + 1024 * (rules.maxFiles + 2)) }),
    ]);
    const command = { type: 'Save' as const, projectId: session.projectId, sessionId: session.id, key: objectKey, bytes: stored.bytes, sha256: stored.sha256, files: packed.files };
    let state;
    try {
      ({ state } = await executeCommand(this.events, contextAggregate, context.id, command, { correlationId: session.correlationId }));
    } catch (err) {
      await this.artifacts.delete(objectKey).catch(() => undefined);
      if (err instanceof ContextRuleViolation) return void logger.info('context deleted while the session ran: its profile is not saved');
      throw err;
    }
    const version = state.context.kind === 'active' ? state.context.profile?.version : undefined;
    logger.info({ version, files: packed.files, bytes: stored.bytes, saveMs: Math.round(performance.now() - t0) }, 'context profile saved');
    for (const old of prunableProfileKeys(state.context)) await this.artifacts.delete(old).catch((err: unknown) => logger.warn({ err, key: old }, 'could not remove an old profile'));
  }

  private key(): Buffer {
    if (!this.config.contextKey) throw new ContextUnavailable('this node has no HANGAR_CONTEXT_KEY (32 bytes, hex or base64): it cannot open or seal context profiles');
    return this.config.contextKey;
  }
}
