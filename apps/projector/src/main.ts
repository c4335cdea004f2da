import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, NestPinoLogger, stopWithLauncher } from '@hangar/runtime';
import { loadEnv } from './env.js';
import { ProjectorModule } from './projector.module.js';

const env = loadEnv();
const logger = createLogger('projector', env.LOG_LEVEL);
const app = await NestFactory.createApplicationContext(ProjectorModule.forRoot(env, logger), { logger: new NestPinoLogger(logger) });
app.enableShutdownHooks();
stopWithLauncher();
logger.info('projector started');
