import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { natsCommandTransport } from '@hangar/messaging';
import { createLogger } from '@hangar/runtime';
import { loadEnv } from './env.js';
import { SchedulerModule } from './scheduler.module.js';

const env = loadEnv();
const logger = createLogger('scheduler', env.LOG_LEVEL);
// Commands go to the `hangar-scheduler` queue group. Admission state is in this process, so run
// one scheduler until leader election (a lease in NATS KV) makes standbys safe.
const app = await NestFactory.createMicroservice(SchedulerModule.forRoot(env, logger), {
  ...natsCommandTransport(env.NATS_URL, 'hangar-scheduler'),
  logger: ['error', 'warn'],
});
app.enableShutdownHooks();
await app.listen();
logger.info('scheduler listening for commands');
