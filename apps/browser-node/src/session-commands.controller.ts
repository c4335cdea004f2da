import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import {
  refusal,
  startSessionCommand,
  stopSessionCommand,
  subjects,
  type StartSessionReply,
  type StopSessionReply,
} from '@hangar/contracts';
import { SessionCommands } from './sessions/session-commands.service.js';

/** Parses a payload; a session id must be a valid subject token (it also names a directory). */
function parse<S extends z.ZodType<{ sessionId: string }>>(schema: S, payload: unknown) {
  const result = schema.safeParse(payload);
  if (!result.success) return refusal({ code: 'VALIDATION', message: z.prettifyError(result.error) });
  try {
    subjects.sessionEvents(result.data.sessionId);
  } catch {
    return refusal({ code: 'VALIDATION', message: 'sessionId: letters, digits, "-" and "_" only' });
  }
  return { ok: true as const, value: result.data };
}

/**
 * The node's command subjects carry its id, and Nest reads patterns from decorators, so the
 * controller class is made per node id. No queue group: each node has its own subjects.
 */
export function sessionCommandsController(nodeId: string): Type<unknown> {
  @Controller()
  class SessionCommandsController {
    constructor(private readonly sessions: SessionCommands) {}

    @MessagePattern(subjects.startSessionOnNode(nodeId))
    async start(@Payload() payload: unknown): Promise<StartSessionReply> {
      const command = parse(startSessionCommand, payload);
      return command.ok ? this.sessions.start(command.value) : command;
    }

    @MessagePattern(subjects.stopSessionOnNode(nodeId))
    async stop(@Payload() payload: unknown): Promise<StopSessionReply> {
      const command = parse(stopSessionCommand, payload);
      return command.ok ? this.sessions.stop(command.value) : command;
    }
  }
  return SessionCommandsController;
}
