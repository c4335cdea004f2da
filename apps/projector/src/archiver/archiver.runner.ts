import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ARTIFACT_STORE, type ArtifactStore } from '@hangar/artifacts';
import { ensureTelemetryStream, EVENT_STORE, NATS_CONNECTION, TelemetryLog, type EventStore, type NatsConnection } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { ProjectorEnv } from '../env.js';
import { PROJECTOR_ENV } from '../tokens.js';
import { runArchiveConsumer } from './archive-consumer.js';
import { SessionArchiver } from './session-archiver.js';
import { TelemetryEnds } from './telemetry-end.js';

/**
 * The archiver inside the projector (docs/architecture.md, "Artifacts"): it makes sure the
 * telemetry stream exists, then archives every session that ends.
 */
@Injectable()
export class ArchiverRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: { stop(): Promise<void> };
  private stopping = false;

  constructor(
    @Inject(PROJECTOR_ENV) private readonly env: ProjectorEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
  ) {}

  async onApplicationBootstrap() {
    await ensureTelemetryStream(this.nc, { replicas: this.env.HANGAR_STREAM_REPLICAS });
    const archiver = new SessionArchiver(
      this.events,
      await TelemetryLog.create(this.nc),
      await TelemetryEnds.create(this.nc),
      this.artifacts,
      this.logger,
      { waitMs: this.env.HANGAR_ARCHIVE_WAIT_MS },
      () => this.stopping,
    );
    this.consumer = await runArchiveConsumer(this.nc, archiver, this.logger);
    this.logger.info({ store: this.artifacts.kind, waitMs: this.env.HANGAR_ARCHIVE_WAIT_MS }, 'archiver consuming');
  }

  // Before the NATS connection drains (MessagingModule's shutdown hook): sessions in the middle
  // of their wait are handed back, not acked.
  async beforeApplicationShutdown() {
    this.stopping = true;
    await this.consumer?.stop();
  }
}
