/**
 * The projector's own DI tokens. Shared ones come from the package that provides them: LOGGER from
 * @hangar/runtime, DATABASE from @hangar/db, NATS_CONNECTION from @hangar/messaging.
 */

/** The parsed ProjectorEnv (env.ts). */
export const PROJECTOR_ENV = Symbol('PROJECTOR_ENV');
