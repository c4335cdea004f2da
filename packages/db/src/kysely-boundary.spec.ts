import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Kysely appears only in packages/db (STYLE.md §5: repositories wrap Kysely, services never see
 * SQL). Everywhere else a database is a handle passed to `repositories(db)`, `inTransaction`,
 * `pingDb` or `migrateToLatest`; a query another package needs becomes a repository method.
 * Tests may still arrange and inspect rows through the handle, so test code is exempt from the
 * query rule, never from the import and dependency rules.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DB = path.join(ROOT, 'packages/db');
const SKIP = new Set(['node_modules', 'dist', '.turbo', '.git']);

function walk(dir: string, keep: (file: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, keep, out);
    else if (keep(full)) out.push(full);
  }
  return out;
}

const workspaces = ['apps', 'packages'].flatMap((d) => readdirSync(path.join(ROOT, d)).map((name) => path.join(ROOT, d, name)));
const outsideDb = (file: string) => file !== DB && !file.startsWith(DB + path.sep);
const sources = [...workspaces.filter(outsideDb), path.join(ROOT, 'tests'), path.join(ROOT, 'infra'), path.join(ROOT, 'scripts')]
  .flatMap((dir) => walk(dir, (f) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(f) && !f.endsWith('.d.ts')))
  .filter(outsideDb);
const isTest = (file: string) => /\.spec\.ts$/.test(file) || /(^|[\\/])(tests|testing|test)[\\/]/.test(path.relative(ROOT, file)) || file.startsWith(path.join(ROOT, 'packages/testing'));
const rel = (file: string) => path.relative(ROOT, file);

/** `import … from 'kysely'`, `import type …`, `export … from`, dynamic `import()`, `require()`, subpaths. */
const KYSELY_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]kysely(?:\/[^'"]*)?['"]/m;
/** The query builder and raw SQL: what a repository is for. */
const QUERY = /\.(?:selectFrom|selectNoFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\.transaction\(\)|\bsql(?:<[^>]*>)?`/;

describe('Kysely stays in packages/db', () => {
  it('finds the workspace it checks', () => {
    expect(sources.map(rel)).toEqual(expect.arrayContaining(['apps/gateway/src/main.ts', 'apps/projector/src/projector.service.ts']));
  });

  it('recognises each way to import it and to query', () => {
    const imports = [`import { sql } from 'kysely';`, `import type { Kysely } from "kysely";`, `export type { Kysely } from 'kysely';`, `const k = await import('kysely');`, `require('kysely/helpers/postgres')`, `import 'kysely';`];
    for (const line of imports) expect(KYSELY_IMPORT.test(line)).toBe(true);
    expect(KYSELY_IMPORT.test(`import { repositories } from '@hangar/db'; // not kysely`)).toBe(false);
    for (const line of [`db.selectFrom('events')`, `trx.deleteFrom('sessions')`, `db.transaction().execute(f)`, 'sql`select 1`', 'sql<{ n: number }>`select 1`']) expect(QUERY.test(line)).toBe(true);
    expect(QUERY.test(`repositories(db).events.historyOf(subject)`)).toBe(false);
  });

  it('no other package.json depends on kysely', () => {
    const manifests = [path.join(ROOT, 'package.json'), ...workspaces.filter(outsideDb).map((w) => path.join(w, 'package.json'))].filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
    const declaring = manifests.filter((f) => {
      const json = JSON.parse(readFileSync(f, 'utf8')) as Record<string, Record<string, string> | undefined>;
      return ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].some((k) => json[k]?.kysely !== undefined);
    });
    expect(declaring.map(rel)).toEqual([]);
  });

  it('no other source imports kysely, not even its types', () => {
    expect(sources.filter((f) => KYSELY_IMPORT.test(readFileSync(f, 'utf8'))).map(rel)).toEqual([]);
  });

  it('no other non-test source builds a query', () => {
    expect(sources.filter((f) => !isTest(f) && QUERY.test(readFileSync(f, 'utf8'))).map(rel)).toEqual([]);
  });
});
