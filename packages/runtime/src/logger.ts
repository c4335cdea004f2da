import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One structured logger per process. Context travels in fields (`sessionId`, `nodeId`,
 * `correlationId`) through `logger.child(...)`, never concatenated into the message.
 * `destination` is stdout unless given (tests read the lines a service writes).
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options = { name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}
