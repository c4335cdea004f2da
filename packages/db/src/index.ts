export * from './schema.js';
export * from './connection.js';
export * from './migrate.js';
export * from './repositories.js';
export * from './tokens.js';
export * from './repositories/sessions.repository.js';
export * from './repositories/projects.repository.js';
export * from './repositories/api-keys.repository.js';
export * from './repositories/events.repository.js';
export * from './repositories/checkpoints.repository.js';
export * from './repositories/nodes.repository.js';
export * from './repositories/projection.repository.js';
export * from './repositories/extensions.repository.js';
export * from './repositories/contexts.repository.js';
// The handle's type only: queries are this package's repositories' (kysely-boundary.spec.ts).
export type { Kysely } from 'kysely';
