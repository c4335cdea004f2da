import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ARTIFACT_STORE, ArtifactTooLarge, checkExtensionZip, type ArtifactStore } from '@hangar/artifacts';
import { ExtensionDeleted, ExtensionUploaded, subjects, type ExtensionEvent } from '@hangar/contracts';
import { REPOSITORIES, type Repositories } from '@hangar/db';
import { extensionArtifactKey, foldExtension, isExtensionId, usableExtension, type UsableExtension } from '@hangar/domain';
import { EVENT_STORE, type EventStore } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { GATEWAY_ENV } from '../tokens.js';
import { spoolExtensionUpload } from './extension-upload.js';

/** The SDK 2.21 `Extension`. */
export interface ExtensionResource {
  id: string;
  fileName: string;
  projectId: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * `/v1/extensions`. An upload is spooled to a private temp file, checked whole (domain
 * extension.rules.ts through checkExtensionZip: not a zip, manifest, zip-slip, symlinks, entries,
 * bombs), and only then stored and recorded: ExtensionUploaded names the stored key, and nothing
 * of a refused upload reaches the store or the log. GET reads the projection (the `extensions`
 * rows), falling back to the extension's own events while the projector has not caught up;
 * DELETE and a session's `extensionId` are decided on the events, the only source of truth.
 * Another project's extension is 404, as one that never existed.
 */
@Injectable()
export class ExtensionsService {
  constructor(
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(REPOSITORIES) private readonly repos: Repositories,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async upload(projectId: string, req: IncomingMessage, correlationId: string): Promise<ExtensionResource> {
    const spooled = await spoolExtensionUpload(req, this.env.HANGAR_EXTENSION_MAX_BYTES);
    try {
      const checked = await checkExtensionZip(spooled.file, { maxEntries: this.env.HANGAR_EXTENSION_MAX_ENTRIES, maxUnpackedBytes: this.env.HANGAR_EXTENSION_MAX_UNPACKED_BYTES });
      if (!checked.ok) throw new ApiError('VALIDATION', `file: ${checked.problem}`);
      const extensionId = randomUUID();
      const key = extensionArtifactKey(projectId, extensionId);
      const stored = await this.artifacts.put(key, createReadStream(spooled.file), { maxBytes: this.env.HANGAR_EXTENSION_MAX_BYTES }).catch((err: unknown) => {
        if (err instanceof ArtifactTooLarge) throw new ApiError('PAYLOAD_TOO_LARGE', err.message);
        throw err;
      });
      const event = ExtensionUploaded.create({ extensionId, projectId, fileName: spooled.fileName, root: checked.root, key, bytes: stored.bytes, sha256: stored.sha256 }, { correlationId });
      try {
        await this.events.append(subjects.extensionEvents(extensionId), [event], 0);
      } catch (err) {
        // Not recorded, so not uploaded: the stored zip goes too.
        await this.artifacts.delete(key).catch(() => undefined);
        throw err;
      }
      this.logger.info({ projectId, extensionId, bytes: stored.bytes, entries: checked.entries, unpackedBytes: checked.unpackedBytes, correlationId }, 'extension uploaded');
      return { id: extensionId, fileName: spooled.fileName, projectId, createdAt: event.occurredAt, updatedAt: event.occurredAt };
    } finally {
      await spooled.discard();
    }
  }

  async retrieve(projectId: string, id: string): Promise<ExtensionResource> {
    if (!isExtensionId(id)) throw notFound(`extension ${id}`);
    const row = await this.repos.extensions.find(projectId, id);
    if (row && row.deletedAt === null) return { id: row.id, fileName: row.fileName, projectId: row.projectId, createdAt: row.createdAt, updatedAt: row.updatedAt };
    if (row) throw notFound(`extension ${id}`);
    const state = await this.usable(projectId, id);
    if (!state) throw notFound(`extension ${id}`);
    return present(state);
  }

  async delete(projectId: string, id: string, correlationId: string): Promise<void> {
    const found = isExtensionId(id) ? await this.fold(id) : undefined;
    const state = found && usableExtension(found.state, projectId);
    if (!found || !state) throw notFound(`extension ${id}`);
    await this.events.append(subjects.extensionEvents(id), [ExtensionDeleted.create({ extensionId: id, projectId }, { correlationId })], found.version);
    // Sessions already launched with it have their own unpacked copy; no new one can name it.
    await this.artifacts.delete(state.key).catch((err: unknown) => this.logger.warn({ err, extensionId: id }, 'could not remove a deleted extension\'s zip'));
  }

  /** The project's extension, as its events say; undefined for another project's, a deleted one, or none. */
  async usable(projectId: string, id: string): Promise<UsableExtension | undefined> {
    if (!isExtensionId(id)) return undefined;
    return usableExtension((await this.fold(id)).state, projectId);
  }

  private async fold(id: string) {
    const stored = await this.events.read(subjects.extensionEvents(id));
    const events = stored.map((s) => s.event).filter((e): e is ExtensionEvent => e.type === 'ExtensionUploaded' || e.type === 'ExtensionDeleted');
    return { state: foldExtension(events), version: stored.at(-1)?.seq ?? 0 };
  }
}

function present(state: UsableExtension): ExtensionResource {
  return { id: state.id, fileName: state.fileName, projectId: state.projectId, createdAt: state.createdAt, updatedAt: state.updatedAt };
}
