/**
 * The node's own DI tokens, for values main.ts builds before Nest starts. Shared ones come from
 * the package that provides them: LOGGER from @hangar/runtime, NATS_CONNECTION and EVENT_STORE
 * from @hangar/messaging.
 */

/** The parsed NodeConfig (env.ts). */
export const NODE_CONFIG = Symbol('NODE_CONFIG');
