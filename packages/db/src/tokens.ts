/** DI tokens for the read model's handles, shared by the processes that use it (gateway, projector). */

/** A `Kysely<Database>` connection pool (see `createDb`). */
export const DATABASE = Symbol('DATABASE');
/** `repositories(db)` bound to that pool. */
export const REPOSITORIES = Symbol('REPOSITORIES');
