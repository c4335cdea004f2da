import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { natsCommandTransport } from '@hangar/messaging';
import { createLogger, NestPinoLogger, stopWithLauncher } from '@hangar/runtime';
import { loadEnv } from './env.js';
import { SchedulerModule } from './scheduler.module.js';
import { SchedulerRuntime } from './scheduler.runtime.js';

const env = loadEnv();
const logger = createLogger('scheduler', env.LOG_LEVEL);
const app = await NestFactory.createMicroservice(SchedulerModule.forRoot(env, logger), {
  ...natsCommandTransport(env.NATS_URL, 'hangar-scheduler'),
  logger: new NestPinoLogger(logger),
});
app.enableShutdownHooks();
stopWithLauncher();
// Replay the log (hot standby) first; subscribe to commands only once this process leads, so a
// standby never answers one.
await app.init();
logger.info('scheduler following the event log; waiting for the leader lease');
await app.get(SchedulerRuntime).lead();
await app.listen();
logger.info('scheduler leads and listens for commands');
