/**
 * DI tokens this package provides. A token shared by several apps is defined once, in the package
 * that owns what it stands for; each app's own tokens live in `apps/<app>/src/tokens.ts`.
 */

/** The process's pino logger (see `createLogger`). */
export const LOGGER = Symbol('LOGGER');
