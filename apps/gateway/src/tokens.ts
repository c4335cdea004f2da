/**
 * The gateway's own DI tokens. Shared ones come from the package that provides them: LOGGER from
 * @hangar/runtime, DATABASE and REPOSITORIES from @hangar/db, NATS_CONNECTION, EVENT_STORE and
 * COMMAND_CLIENT from @hangar/messaging.
 */

/** The parsed GatewayEnv (env.ts). */
export const GATEWAY_ENV = Symbol('GATEWAY_ENV');
