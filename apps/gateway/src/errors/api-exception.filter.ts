import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from '@hangar/runtime';
import { toHttpError } from './http-error.mapping.js';

/**
 * Every error of every HTTP request ends here: handler errors, guard refusals, and (through the
 * error and not-found handlers Nest installs on Fastify) body-parsing failures and unknown routes.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const answer = toHttpError(exception);
    if (answer.code === 'INTERNAL') this.logger.error({ err: exception }, 'request failed');
    else if (answer.serverFault) this.logger.warn({ err: exception }, 'dependency unavailable');
    if (reply.sent) return;
    void reply.status(answer.status).headers(answer.headers).type('application/json; charset=utf-8').send(answer.body);
  }
}
