import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { natsCommandTransport, type NatsConnection } from '@hangar/messaging';
import { createLogger, NestPinoLogger, onShutdown, stopWithLauncher } from '@hangar/runtime';
import { killOwnedGroupsSync } from './chromium/owned-groups.js';
import { loadConfig } from './env.js';
import { NodeDrain } from './node/node-drain.service.js';
import { NodeLifecycle } from './node/node.lifecycle.js';
import { NodeModule } from './node.module.js';

const config = loadConfig();
const logger = createLogger('browser-node', config.logLevel).child({ nodeId: config.nodeId });

// However this process exits (an uncaught error included), no Chromium it started outlives it;
// a SIGKILL skips this, and the orphan sweep at the next start covers that.
process.on('exit', killOwnedGroupsSync);

// SIGUSR2 = drain. Its default action terminates the process, which would skip the shutdown and
// leave every Chromium to the next orphan sweep: it is caught from the first line, and a drain
// asked for during boot begins once the node is up.
let drain: NodeDrain | undefined;
let drainAsked = false;
process.on('SIGUSR2', () => (drain ? drain.begin('SIGUSR2') : (drainAsked = true)));

try {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NodeModule.forRoot(config, logger), {
    ...natsCommandTransport(config.natsUrl),
    logger: new NestPinoLogger(logger),
  });
  // app.close(): the command transport first, then NodeLifecycle ends every session, then NATS.
  const shutdown = onShutdown(logger, [() => app.close()]);
  stopWithLauncher();
  await app.listen();
  // The subscriptions must have reached the server before anyone learns this node exists,
  // or the scheduler's first start command could find no responder.
  await app.unwrap<NatsConnection>().flush();
  await app.get(NodeLifecycle).announce();
  const nodeDrain = app.get(NodeDrain);
  // A drained node leaves the way SIGTERM makes it leave (NodeLeft, then NATS), with no session left to end.
  void nodeDrain.drained.then(() => shutdown()).then(() => process.exit(0));
  drain = nodeDrain;
  if (drainAsked) nodeDrain.begin('SIGUSR2');
} catch (err) {
  logger.fatal({ err }, 'browser-node failed to start');
  process.exit(1);
}
