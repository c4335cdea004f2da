import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ArtifactStoreModule, pickArtifactStoreEnv } from '@hangar/artifacts';
import { MessagingModule, NATS_CONNECTION } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { DatabaseModule } from './config/database.module.js';
import { ConnectProxy } from './connect/connect.proxy.js';
import { PipedConnections } from './connect/piped-connections.js';
import { PublicUrls } from './connect/public-urls.js';
import { SessionEndWatcher } from './connect/session-end.watcher.js';
import type { GatewayEnv } from './env.js';
import { ContextsController } from './contexts/contexts.controller.js';
import { ContextsService } from './contexts/contexts.service.js';
import { ExtensionsController } from './extensions/extensions.controller.js';
import { ExtensionsService } from './extensions/extensions.service.js';
import { FilesController } from './files/files.controller.js';
import { SessionDownloads } from './files/session-downloads.service.js';
import { SessionUploads } from './files/session-uploads.service.js';
import { LiveViewAccess } from './live-view/live-view.access.js';
import { WebDriverAccess } from './webdriver/webdriver.access.js';
import { WebDriverController } from './webdriver/webdriver.controller.js';
import { LiveViewController } from './live-view/live-view.controller.js';
import { LiveViewUpgrades } from './live-view/live-view.upgrades.js';
import { NodesController } from './nodes/nodes.controller.js';
import { NodesService } from './nodes/nodes.service.js';
import { HealthController } from './ops/health.controller.js';
import { MetricsController } from './ops/metrics.controller.js';
import { MetricsService } from './ops/metrics.service.js';
import { OpenApiController } from './ops/openapi.controller.js';
import { ProjectsController } from './projects/projects.controller.js';
import { ProjectsService } from './projects/projects.service.js';
import { SessionReader } from './sessions/session.reader.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { TELEMETRY_CONTROLLERS, TELEMETRY_PROVIDERS } from './telemetry/telemetry.routes.js';
import { GATEWAY_ENV } from './tokens.js';

@Module({})
export class AppModule {
  static forRoot(env: GatewayEnv, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({ servers: env.NATS_URL, name: 'hangar-gateway', logger, streamReplicas: env.HANGAR_STREAM_REPLICAS }),
        DatabaseModule.forRoot(env.DATABASE_URL),
        ArtifactStoreModule.forRoot({ env: pickArtifactStoreEnv(env), natsToken: NATS_CONNECTION, streamReplicas: env.HANGAR_STREAM_REPLICAS }),
        // Terminus logs failed checks itself; a failing readiness probe polled every few seconds
        // is not worth a stack trace each time.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [LiveViewController, SessionsController, ProjectsController, NodesController, HealthController, MetricsController, OpenApiController, ...TELEMETRY_CONTROLLERS, FilesController, WebDriverController, ExtensionsController, ContextsController],
      providers: [
        { provide: GATEWAY_ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        {
          provide: PublicUrls,
          useFactory: () => new PublicUrls({ publicUrl: env.HANGAR_PUBLIC_URL, host: env.HANGAR_HOST, port: env.HANGAR_PORT }, env.HANGAR_SIGNING_SECRET),
        },
        ApiKeysService,
        ApiKeyGuard,
        ProjectsService,
        SessionReader,
        SessionsService,
        MetricsService,
        NodesService,
        PipedConnections,
        ConnectProxy,
        SessionEndWatcher,
        ...TELEMETRY_PROVIDERS,
        SessionDownloads,
        SessionUploads,
        ExtensionsService,
        ContextsService,
        LiveViewAccess,
        WebDriverAccess,
        LiveViewUpgrades,
      ],
    };
  }
}
