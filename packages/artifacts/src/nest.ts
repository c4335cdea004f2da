import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ArtifactStore } from './artifact-store.js';
import { openArtifactStore, type ArtifactStoreEnv } from './artifact-store.config.js';
import { ARTIFACT_STORE } from './tokens.js';

export interface ArtifactStoreModuleOptions {
  env: ArtifactStoreEnv;
  /** The DI token of the service's NATS connection (@hangar/messaging's NATS_CONNECTION). */
  natsToken: symbol;
  streamReplicas?: number;
  /** The fs store's default parent folder when HANGAR_ARTIFACT_DIR is unset. */
  dataDir?: string;
}

@Injectable()
class ArtifactStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(ARTIFACT_STORE) private readonly store: ArtifactStore) {}
  async onApplicationShutdown() {
    await this.store.close();
  }
}

/** The service's one ArtifactStore, as ARTIFACT_STORE, opened at boot and closed at shutdown. */
@Global()
@Module({})
export class ArtifactStoreModule {
  static forRoot(options: ArtifactStoreModuleOptions): DynamicModule {
    return {
      module: ArtifactStoreModule,
      providers: [
        {
          provide: ARTIFACT_STORE,
          inject: [options.natsToken],
          useFactory: (nats: NatsConnection) =>
            openArtifactStore(options.env, { nats, ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.streamReplicas ? { streamReplicas: options.streamReplicas } : {}) }),
        },
        ArtifactStoreLifecycle,
      ],
      exports: [ARTIFACT_STORE],
    };
  }
}
