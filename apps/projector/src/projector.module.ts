import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createDb, DATABASE, ensureDatabase, migrateToLatest, pingDb, repositories, type Database, type Kysely } from '@hangar/db';
import { EVENTS_WILDCARD } from '@hangar/contracts';
import { ArtifactStoreModule, pickArtifactStoreEnv } from '@hangar/artifacts';
import { MessagingModule, NATS_CONNECTION, runCheckpointedFollower, type NatsConnection } from '@hangar/messaging';
import { LOGGER, startOpsServer, type Logger, type OpsServer } from '@hangar/runtime';
import { ArchiverRunner } from './archiver/archiver.runner.js';
import type { ProjectorEnv } from './env.js';
import { ProjectorService } from './projector.service.js';
import { PROJECTOR_ENV } from './tokens.js';

@Injectable()
class ProjectorRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: { stop(): Promise<void> };
  private ops?: OpsServer;

  constructor(
    @Inject(PROJECTOR_ENV) private readonly env: ProjectorEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DATABASE) private readonly db: Kysely<Database>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap() {
    // Migrations belong to the projector: it is the only writer of the read model.
    const applied = await migrateToLatest(this.db);
    if (applied.length) this.logger.info({ applied }, 'migrations applied');
    this.ops = await startOpsServer({
      port: this.env.HANGAR_OPS_PORT,
      host: this.env.HANGAR_OPS_HOST,
      service: 'projector',
      ready: async () => !this.nc.isClosed() && (await pingDb(this.db).then(() => true, () => false)),
    });
    const service = new ProjectorService(this.db, this.env.HANGAR_PROJECTION_NAME, this.logger, this.ops.registry);
    const name = this.env.HANGAR_PROJECTION_NAME;
    this.consumer = await runCheckpointedFollower(this.nc, {
      filterSubject: EVENTS_WILDCARD,
      checkpoint: () => repositories(this.db).checkpoints.position(name),
      logger: this.logger,
      handle: async (batch) => {
        await service.handle(batch);
      },
      // Versions before 0.2 followed the log through this durable consumer.
      retiredDurable: `projector-${name}`,
    });
    this.logger.info({ projection: this.env.HANGAR_PROJECTION_NAME }, 'projector consuming');
  }

  async onApplicationShutdown() {
    await this.consumer?.stop();
    await this.ops?.close();
    await this.db.destroy();
  }
}

@Module({})
export class ProjectorModule {
  static forRoot(env: ProjectorEnv, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        MessagingModule.forRoot({ servers: env.NATS_URL, name: 'hangar-projector', logger, streamReplicas: env.HANGAR_STREAM_REPLICAS }),
        ArtifactStoreModule.forRoot({ env: pickArtifactStoreEnv(env), natsToken: NATS_CONNECTION, streamReplicas: env.HANGAR_STREAM_REPLICAS }),
      ],
      providers: [
        { provide: PROJECTOR_ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        {
          provide: DATABASE,
          useFactory: async () => {
            await ensureDatabase(env.DATABASE_URL);
            // Asynchronous commit: see ProjectorService.
            return createDb(env.DATABASE_URL, { settings: { synchronous_commit: 'off' } });
          },
        },
        ProjectorRunner,
        ArchiverRunner,
      ],
    };
  }
}
