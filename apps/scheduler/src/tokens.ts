/**
 * The scheduler's own DI tokens. Shared ones come from the package that provides them: LOGGER from
 * @hangar/runtime, NATS_CONNECTION, EVENT_STORE and COMMAND_CLIENT from @hangar/messaging.
 */

/** The parsed SchedulerEnv (env.ts). */
export const SCHEDULER_ENV = Symbol('SCHEDULER_ENV');
/** The SchedulerRuntime, as the controller sees it. */
export const SCHEDULER = Symbol('SCHEDULER');
