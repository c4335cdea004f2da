import type { Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's own log lines through the process's pino logger, the one adapter every service hands
 * to Nest (`logger: new NestPinoLogger(logger)`), so each process writes one structured stream.
 * It satisfies Nest's LoggerService by shape; this package does not depend on Nest.
 *
 * Nest's `log` level is its boot chatter (every module, route and transport it sets up): that is
 * debug detail, and each service logs its own "started" line at info. Nest passes its context as
 * the last string argument, and for errors a stack before it.
 */
export class NestPinoLogger {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]) {
    if (!this.logger.isLevelEnabled(level)) return;
    const strings = params.filter((p): p is string => typeof p === 'string');
    const context = strings.length > 0 ? strings.at(-1) : undefined;
    // error(message, stack, context): a stack is the string before the context.
    const trace = strings.length > 1 ? strings.at(-2) : undefined;
    const fields = { ...(context ? { context } : {}), ...(trace ? { trace } : {}) };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'string') this.logger[level](fields, message);
    else this.logger[level]({ ...fields, detail: message }, 'nest');
  }
}
