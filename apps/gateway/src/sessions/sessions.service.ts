import { Inject, Injectable } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import {
  createSessionReply,
  releaseSessionReply,
  subjects,
  type CreateSessionCommand,
  type ReleaseSessionCommand,
  type SessionSnapshot,
} from '@hangar/contracts';
import { REPOSITORIES, type Repositories } from '@hangar/db';
import { compileProxyRules, isEnded, sealProxyPasswords } from '@hangar/domain';
import { COMMAND_CLIENT, sendCommand } from '@hangar/messaging';
import { LOGGER, sealSecret, type Logger } from '@hangar/runtime';
import { assertOwnProject } from '../auth/project-scope.js';
import { GATEWAY_ENV } from '../tokens.js';
import { PublicUrls, type ConnectInfo } from '../connect/public-urls.js';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { ContextsService } from '../contexts/contexts.service.js';
import { ExtensionsService } from '../extensions/extensions.service.js';
import { parseCreateSessionBody } from './create-session.body.js';
import { parseListQuery } from './list-sessions.query.js';
import { SessionReader } from './session.reader.js';
import { presentSession, presentWithConnect, type SessionResource, type SessionView } from './session.presenter.js';
import { parseUpdateSessionBody } from './update-session.body.js';

/**
 * The session use cases. Writes are commands to the scheduler (it decides and appends the
 * events); reads come from the projection, with read-your-writes through SessionReader.
 */
@Injectable()
export class SessionsService {
  constructor(
    @Inject(COMMAND_CLIENT) private readonly commands: ClientProxy,
    @Inject(REPOSITORIES) private readonly repos: Repositories,
    private readonly reader: SessionReader,
    private readonly urls: PublicUrls,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly extensions: ExtensionsService,
    private readonly contexts: ContextsService,
  ) {}

  async create(projectId: string, body: unknown, correlationId: string): Promise<SessionResource & ConnectInfo> {
    const session = await this.createSession(projectId, body, correlationId);
    return presentWithConnect(session, this.urls.connectInfo(session.id));
  }

  /**
   * Validates the whole body before anything is asked of the scheduler. An absent timeout stays
   * absent: the scheduler applies the project's default, from the project's own events.
   */
  async createSession(projectId: string, body: unknown, correlationId: string): Promise<SessionView> {
    const request = parseCreateSessionBody(body);
    assertOwnProject(request.projectId, projectId);
    // A pool rule needs a pool with an upstream for it: refused here, never a silent direct connection.
    const proxies = compileProxyRules(request.settings.proxies, this.env.HANGAR_PROXY_POOL, correlationId);
    if (!proxies.ok) throw new ApiError('VALIDATION', `${proxies.field} ${proxies.message}`);
    const { extensionId } = request.settings.browserSettings;
    // Decided on the extension's events: one uploaded a moment ago is there, a deleted one is not.
    if (extensionId !== undefined && !(await this.extensions.usable(projectId, extensionId))) {
      throw new ApiError('VALIDATION', `extensionId ${JSON.stringify(extensionId.slice(0, 80))} is not an extension of this project (upload one with POST /v1/extensions)`);
    }
    const contextId = request.settings.browserSettings.context?.id;
    // Likewise on the context's events: one deleted a moment ago names no context.
    if (contextId !== undefined && !(await this.contexts.usable(projectId, contextId))) {
      throw new ApiError('VALIDATION', `browserSettings.context.id ${JSON.stringify(contextId.slice(0, 80))} is not a context of this project (create one with POST /v1/contexts)`);
    }
    // Upstream passwords go into the event log sealed: only nodes (which hold the internal secret) open them.
    const secret = this.env.HANGAR_INTERNAL_SECRET;
    const proxiesSealed = sealProxyPasswords(request.settings.proxies, (password) => sealSecret(secret, password));
    const command: CreateSessionCommand = { correlationId, projectId, ...request.settings, ...(proxiesSealed !== undefined ? { proxies: proxiesSealed } : {}) };
    const sent = performance.now();
    const reply = await sendCommand(this.commands, subjects.createSession, command, createSessionReply, this.env.HANGAR_COMMAND_TIMEOUT_MS);
    if (!reply.ok) throw ApiError.fromCommand(reply.error);
    const session = fresh(reply.value);
    this.reader.remember(projectId, session);
    // The scheduler and node log their own stages under the same correlationId.
    this.logger.debug({ sessionId: session.id, projectId, correlationId, status: session.status, commandMs: Math.round((performance.now() - sent) * 100) / 100 }, 'session created');
    return session;
  }

  async list(projectId: string, query: Record<string, unknown> | undefined): Promise<SessionResource[]> {
    const filter = parseListQuery(query);
    await this.reader.awaitProjection();
    const rows = await this.repos.sessions.list(projectId, filter);
    return rows.map(presentSession);
  }

  /** Connect details only while the session runs: they are useless, and a needless secret, after. */
  async retrieve(projectId: string, id: string): Promise<SessionResource & Partial<ConnectInfo>> {
    const session = await this.reader.find(projectId, id);
    if (!session) throw notFound(`session ${id}`);
    return session.status === 'RUNNING' ? presentWithConnect(session, this.urls.connectInfo(id)) : presentSession(session);
  }

  /**
   * Idempotent: releasing an ended session answers its final state without asking anyone. A
   * session this gateway has just seen (created, read, connected to) needs no read first: it is
   * this project's (that never changes), and if it has ended since, the scheduler says so.
   */
  async update(projectId: string, id: string, body: unknown, correlationId: string): Promise<SessionResource> {
    const update = parseUpdateSessionBody(body);
    assertOwnProject(update.projectId, projectId);
    const t0 = performance.now();
    const session = this.reader.recent(projectId, id) ?? (await this.reader.find(projectId, id));
    if (!session) throw notFound(`session ${id}`);
    if (isEnded(session)) return presentSession(session);
    const t1 = performance.now();
    const command: ReleaseSessionCommand = { correlationId, projectId, sessionId: id };
    const reply = await sendCommand(this.commands, subjects.releaseSession, command, releaseSessionReply, this.env.HANGAR_COMMAND_TIMEOUT_MS);
    if (!reply.ok) throw ApiError.fromCommand(reply.error);
    const released = { ...reply.value, proxyBytes: reply.value.proxyBytes ?? session.proxyBytes };
    if (isEnded(released)) this.reader.remember(projectId, released);
    const ms = (from: number, to = performance.now()) => Math.round((to - from) * 100) / 100;
    this.logger.debug({ sessionId: id, projectId, correlationId, status: reply.value.status, readMs: ms(t0, t1), commandMs: ms(t1) }, 'session release requested');
    return presentSession(released);
  }
}

/** A session that was created a moment ago has used no proxy yet. */
const fresh = (snapshot: SessionSnapshot): SessionView => ({ ...snapshot, proxyBytes: 0 });
