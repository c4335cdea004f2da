import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One structured logger per process. Context travels in fields (`sessionId`, `nodeId`,
 * `correlationId`) through `logger.child(...)`, never concatenated into the message.
 */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
