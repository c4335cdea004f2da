import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createSessionCommand, refusal, releaseSessionCommand, subjects, type CreateSessionReply, type ReleaseSessionReply } from '@hangar/contracts';
import type { z } from 'zod';
import type { SchedulerRuntime } from './scheduler.runtime.js';
import { SCHEDULER } from './tokens.js';

function invalid(error: z.ZodError) {
  const issue = error.issues[0];
  return refusal({ code: 'VALIDATION', message: `${issue?.path.join('.') || 'command'}: ${issue?.message ?? 'invalid'}` });
}

/** The scheduler's commands, served to the `hangar-scheduler` queue group over core NATS. */
@Controller()
export class SessionsController {
  constructor(@Inject(SCHEDULER) private readonly scheduler: SchedulerRuntime) {}

  @MessagePattern(subjects.createSession)
  async create(@Payload() payload: unknown): Promise<CreateSessionReply> {
    const parsed = createSessionCommand.safeParse(payload);
    if (!parsed.success) return invalid(parsed.error);
    await this.scheduler.ready;
    return this.scheduler.sessions.create(parsed.data);
  }

  @MessagePattern(subjects.releaseSession)
  async release(@Payload() payload: unknown): Promise<ReleaseSessionReply> {
    const parsed = releaseSessionCommand.safeParse(payload);
    if (!parsed.success) return invalid(parsed.error);
    await this.scheduler.ready;
    return this.scheduler.sessions.release(parsed.data);
  }
}
