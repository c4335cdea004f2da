import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createDb, DATABASE, repositories, REPOSITORIES, type Database, type Kysely } from '@hangar/db';

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Kysely<Database>) {}
  async onApplicationShutdown() {
    await this.db.destroy();
  }
}

/** The read model. The gateway only reads it; the projector owns writes and migrations. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(connectionString: string): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE, useFactory: () => createDb(connectionString) },
        { provide: REPOSITORIES, inject: [DATABASE], useFactory: (db: Kysely<Database>) => repositories(db) },
        DatabaseLifecycle,
      ],
      exports: [DATABASE, REPOSITORIES],
    };
  }
}
