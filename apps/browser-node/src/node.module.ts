import { Module, type DynamicModule } from '@nestjs/common';
import { ArtifactStoreModule } from '@hangar/artifacts';
import { MessagingModule, NATS_CONNECTION } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import { EgressGuard } from './egress/egress-guard.js';
import { CdpProxy } from './cdp/cdp-proxy.server.js';
import { WarmPool } from './chromium/warm-pool.service.js';
import { BrowserIsolation } from './isolation/browser-isolation.service.js';
import type { NodeConfig } from './env.js';
import { ContextProfiles } from './contexts/context-profiles.service.js';
import { DownloadsArchiver } from './files/downloads.archiver.js';
import { FilesRoutes } from './files/files.routes.js';
import { WebDriverRoutes } from './webdriver/webdriver.routes.js';
import { LiveViewRoutes } from './live-view/live-view.routes.js';
import { nodeCommandsController } from './node-commands.controller.js';
import { NodeDrain } from './node/node-drain.service.js';
import { NodeLifecycle } from './node/node.lifecycle.js';
import { NodeMetrics } from './node/node-metrics.js';
import { NodeOps } from './node/node-ops.service.js';
import { NodePresence } from './node/node-presence.service.js';
import { sessionCommandsController } from './session-commands.controller.js';
import { SessionCommands } from './sessions/session-commands.service.js';
import { SessionEndFollower } from './sessions/session-end.follower.js';
import { SessionRegistry } from './sessions/session-registry.js';
import { SessionTelemetry } from './telemetry/session-telemetry.service.js';
import { NODE_CONFIG } from './tokens.js';

@Module({})
export class NodeModule {
  static forRoot(config: NodeConfig, logger: Logger): DynamicModule {
    return {
      module: NodeModule,
      imports: [
        MessagingModule.forRoot({ servers: config.natsUrl, name: `browser-node:${config.nodeId}`, logger, streamReplicas: config.streamReplicas }),
        ArtifactStoreModule.forRoot({ env: config.artifactStore, natsToken: NATS_CONNECTION, streamReplicas: config.streamReplicas }),
      ],
      controllers: [sessionCommandsController(config.nodeId), nodeCommandsController(config.nodeId)],
      providers: [
        { provide: NODE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        NodeMetrics,
        SessionRegistry,
        CdpProxy,
        LiveViewRoutes,
        FilesRoutes,
        WebDriverRoutes,
        DownloadsArchiver,
        ContextProfiles,
        SessionTelemetry,
        WarmPool,
        BrowserIsolation,
        EgressGuard,
        SessionCommands,
        SessionEndFollower,
        NodePresence,
        NodeDrain,
        NodeLifecycle,
        NodeOps,
      ],
    };
  }
}
