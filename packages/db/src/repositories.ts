import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import { ApiKeysRepository } from './repositories/api-keys.repository.js';
import { CheckpointsRepository } from './repositories/checkpoints.repository.js';
import { ContextsRepository } from './repositories/contexts.repository.js';
import { ExtensionsRepository } from './repositories/extensions.repository.js';
import { EventsRepository } from './repositories/events.repository.js';
import { NodesRepository } from './repositories/nodes.repository.js';
import { ProjectionRepository } from './repositories/projection.repository.js';
import { ProjectsRepository } from './repositories/projects.repository.js';
import { SessionsRepository } from './repositories/sessions.repository.js';

/** Every repository bound to one connection or transaction. */
export function repositories(db: Kysely<Database> | Transaction<Database>) {
  return {
    sessions: new SessionsRepository(db),
    projects: new ProjectsRepository(db),
    apiKeys: new ApiKeysRepository(db),
    events: new EventsRepository(db),
    checkpoints: new CheckpointsRepository(db),
    nodes: new NodesRepository(db),
    projection: new ProjectionRepository(db),
    extensions: new ExtensionsRepository(db),
    contexts: new ContextsRepository(db),
  };
}
export type Repositories = ReturnType<typeof repositories>;

/**
 * Runs `work` in one transaction, with every repository bound to it: it commits when `work`
 * resolves and rolls back when it throws.
 */
export function inTransaction<T>(db: Kysely<Database>, work: (repos: Repositories) => Promise<T>): Promise<T> {
  return db.transaction().execute((trx) => work(repositories(trx)));
}
