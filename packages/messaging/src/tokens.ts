/** DI tokens for what MessagingModule provides (see nest.ts). */

/** The process's one NATS connection (JetStream and core). */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** The EventStore on that connection. */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** Nest's NATS ClientProxy, for command request/reply. */
export const COMMAND_CLIENT = Symbol('COMMAND_CLIENT');
