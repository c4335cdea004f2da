import { Module, type DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@hangar/messaging';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { SchedulerEnv } from './env.js';
import { SchedulerRuntime } from './scheduler.runtime.js';
import { SCHEDULER, SCHEDULER_ENV } from './tokens.js';
import { SessionsController } from './sessions.controller.js';

@Module({})
export class SchedulerModule {
  static forRoot(env: SchedulerEnv, logger: Logger): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [MessagingModule.forRoot({ servers: env.NATS_URL, name: 'hangar-scheduler', logger, streamReplicas: env.HANGAR_STREAM_REPLICAS })],
      controllers: [SessionsController],
      providers: [
        { provide: SCHEDULER_ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        SchedulerRuntime,
        { provide: SCHEDULER, useExisting: SchedulerRuntime },
      ],
    };
  }
}
