import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import { ARTIFACT_STORE, type ArtifactStore } from '@hangar/artifacts';
import { createContextBodySchema, type ContextResource, type ContextUploadInfo } from '@hangar/contracts';
import {
  contextAggregate,
  contextArtifactPrefix,
  contextNameAggregate,
  contextNameToken,
  ContextRuleViolation,
  isContextId,
  normalizeContextName,
  usableContext,
  type UsableContext,
} from '@hangar/domain';
import { EVENT_STORE, executeCommand, loadAggregate, type EventStore } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { assertOwnProject } from '../auth/project-scope.js';
import { PublicUrls } from '../connect/public-urls.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { parseOrThrow } from '../errors/validation-message.js';

const generateRsa = promisify(generateKeyPair);

/**
 * `/v1/contexts`. A context is its events (ContextCreated, ContextSaved, ContextDeleted on its
 * own stream): every decision and every read is taken on them (a read right after a write sees
 * it); the projector's `contexts` rows are the read model for listings. Another project's context
 * is 404, as one that never existed.
 *
 * A name is unique in its project among live contexts, without case, and that is kept on the
 * log, not by a read: the create appends ContextCreated, then claims the name on the name's own
 * subject with an optimistic append; of two creates racing for one name one claim lands, and the
 * other create is undone (ContextDeleted) and answered 400 naming `name`.
 *
 * Uploads, which upstream deprecated: `uploadUrl` is a sentinel answering 410, and `publicKey` a
 * real RSA-2048 key whose private half is not kept, since nothing is ever decrypted with it.
 */
@Injectable()
export class ContextsService {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly urls: PublicUrls,
  ) {}

  async create(projectId: string, body: unknown, correlationId: string): Promise<ContextUploadInfo> {
    const parsed = parseOrThrow(createContextBodySchema, body ?? {});
    assertOwnProject(parsed.projectId, projectId);
    const normalized = normalizeContextName(parsed.name);
    if ('problem' in normalized) throw new ApiError('VALIDATION', normalized.problem);
    const { name } = normalized;
    const contextId = randomUUID();
    const { publicKey } = await generateRsa('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const meta = { correlationId };
    await executeCommand(this.events, contextAggregate, contextId, { type: 'Create', contextId, projectId, name, publicKey }, meta);
    if (name !== undefined) await this.claimName(projectId, contextId, name, correlationId);
    this.logger.info({ projectId, contextId, named: name !== undefined, correlationId }, 'context created');
    return this.present(contextId, publicKey);
  }

  /**
   * On the context's events, not the `contexts` row: a GET right after a DELETE must not find a
   * row the projector has not marked yet (read-your-writes). The rows serve listings.
   */
  async retrieve(projectId: string, id: string): Promise<ContextResource> {
    const context = await this.usable(projectId, id);
    if (!context) throw notFound(`context ${id}`);
    return { id: context.id, projectId: context.projectId, createdAt: context.createdAt, updatedAt: context.updatedAt, ...(context.name !== undefined ? { name: context.name } : {}) };
  }

  async uploadInfo(projectId: string, id: string): Promise<ContextUploadInfo> {
    const context = await this.usable(projectId, id);
    if (!context) throw notFound(`context ${id}`);
    return this.present(context.id, context.publicKey);
  }

  /**
   * Defined for a context in use: sessions running with it keep their browser, and a persisting
   * one's save is not recorded (its node removes the object); a session not launched yet fails
   * to start; new sessions are refused (400). Its stored profiles go after the event.
   */
  async delete(projectId: string, id: string, correlationId: string): Promise<void> {
    const context = await this.usable(projectId, id);
    if (!context) throw notFound(`context ${id}`);
    try {
      await executeCommand(this.events, contextAggregate, id, { type: 'Delete', projectId }, { correlationId });
    } catch (err) {
      if (err instanceof ContextRuleViolation) throw notFound(`context ${id}`);
      throw err;
    }
    if (context.name !== undefined) {
      await executeCommand(this.events, contextNameAggregate, contextNameToken(projectId, context.name), { type: 'Release', projectId, contextId: id }, { correlationId }).catch((err: unknown) =>
        // A claim left behind names a deleted context, which the next create takes over.
        this.logger.warn({ err, contextId: id }, 'could not release a deleted context\'s name'),
      );
    }
    await this.removeProfiles(projectId, id);
  }

  /** The project's live context, as its events say; undefined for another project's, a deleted one, or none. */
  async usable(projectId: string, id: string): Promise<UsableContext | undefined> {
    if (!isContextId(id)) return undefined;
    return usableContext((await loadAggregate(this.events, contextAggregate, id)).context, projectId);
  }

  private async claimName(projectId: string, contextId: string, name: string, correlationId: string): Promise<void> {
    const token = contextNameToken(projectId, name);
    const { holder } = await loadAggregate(this.events, contextNameAggregate, token);
    const goneHolder = holder && holder.contextId !== contextId && !(await this.usable(projectId, holder.contextId)) ? holder.contextId : undefined;
    try {
      await executeCommand(this.events, contextNameAggregate, token, { type: 'Claim', projectId, contextId, name, goneHolder }, { correlationId });
    } catch (err) {
      // Not named as asked, so not created: undone before the answer.
      await executeCommand(this.events, contextAggregate, contextId, { type: 'Delete', projectId }, { correlationId }).catch((undo: unknown) => this.logger.error({ err: undo, contextId }, 'could not undo a context whose name was taken'));
      if (err instanceof ContextRuleViolation) throw ApiError.fromCommand(err.toCommandError());
      throw err;
    }
  }

  private async removeProfiles(projectId: string, contextId: string): Promise<void> {
    try {
      for (const entry of await this.artifacts.list(contextArtifactPrefix(projectId, contextId))) await this.artifacts.delete(entry.key);
    } catch (err) {
      this.logger.warn({ err, contextId }, 'could not remove a deleted context\'s profiles');
    }
  }

  private present(id: string, publicKey: string): ContextUploadInfo {
    return { id, uploadUrl: `${this.urls.http}/v1/contexts/${id}/upload`, publicKey, cipherAlgorithm: 'AES-256-CBC', initializationVectorSize: 16 };
  }
}
