import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ARTIFACT_STORE, type ArtifactStore } from '@hangar/artifacts';
import { sessionAggregate, sessionArtifactKey } from '@hangar/domain';
import { EVENT_STORE, executeCommand, type EventStore } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { NodeConfig } from '../env.js';
import type { LiveSession } from '../sessions/live-session.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';
import { zipDownloads, ZIP_OVERHEAD_BYTES } from './downloads.zip.js';

/**
 * When a session ends, its downloads folder goes to the artifact store as one zip and is
 * recorded (SessionArtifactStored), before the registry removes the folder: afterwards the node's
 * disk is never the only copy, and the gateway serves the zip from the store whichever node ran
 * the session. Runs after the browser's process group is gone, so nothing writes meanwhile.
 *
 * The key is built from the session the registry holds (sessionArtifactKey), never from anything
 * in the folder; the zip is streamed into the store with a cap, never held whole.
 */
@Injectable()
export class DownloadsArchiver implements OnModuleInit {
  constructor(
    private readonly registry: SessionRegistry,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.registry.addHook({ name: 'downloads', ended: (s) => this.archive(s) });
  }

  async archive(session: LiveSession): Promise<void> {
    const key = sessionArtifactKey(session.projectId, session.id, 'downloads');
    const max = this.config.downloadsMaxBytes;
    const zip = zipDownloads(session.browser.folders.downloads, { maxBytes: max, uid: session.browser.user?.uid });
    const put = await this.artifacts.put(key, zip, { maxBytes: max + ZIP_OVERHEAD_BYTES });
    await executeCommand(this.events, sessionAggregate, session.id, { type: 'RecordArtifact', artifact: { kind: 'downloads', ...put } }, { correlationId: session.correlationId });
    this.logger.info({ sessionId: session.id, projectId: session.projectId, bytes: put.bytes }, 'session downloads stored');
  }
}
