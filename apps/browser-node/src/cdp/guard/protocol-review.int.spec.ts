import { rmSync } from 'node:fs';
import { tempDir } from '@hangar/testing';
import { startTestChromium, type TestChromium } from '../../test/test-chromium.js';
import { guardFor } from './guarded-methods.js';
import { REVIEWED_DOMAINS, REVIEWED_SAFE } from './reviewed-params.js';

interface ProtocolParam {
  name: string;
  description?: string;
  type?: string;
  $ref?: string;
  items?: { $ref?: string };
}
interface Protocol {
  domains: { domain: string; types?: { id: string; properties?: ProtocolParam[] }[]; commands?: { name: string; parameters?: ProtocolParam[] }[] }[];
}

// Words of a camelCase name that mean a host path; `profile` or `directSocket` do not.
const PATH_WORDS = new Set(['path', 'paths', 'file', 'files', 'dir', 'directory', 'folder', 'filename', 'filepath']);
const PATH_PROSE = /\b(file|files|file path|directory|directories|folder|filesystem|local path)\b/i;
const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);

/**
 * Every (command, parameter) of the protocol that may name a host path, a file or a URL (a URL
 * may be file:), looking into object parameters (`data.files`, `cookies.path`) a few levels deep.
 */
function suspects(protocol: Protocol): string[] {
  const types = new Map<string, ProtocolParam[]>();
  for (const d of protocol.domains) for (const t of d.types ?? []) if (t.properties) types.set(`${d.domain}.${t.id}`, t.properties);
  const found: string[] = [];
  for (const d of protocol.domains) {
    for (const c of d.commands ?? []) {
      const walk = (params: ProtocolParam[], prefix: string, seen: Set<string>) => {
        for (const p of params) {
          const name = `${prefix}${p.name}`;
          if (words(p.name).some((w) => PATH_WORDS.has(w)) || PATH_PROSE.test(p.description ?? '') || /url/i.test(p.name)) found.push(`${d.domain}.${c.name} ${name}`);
          const ref = p.$ref ?? p.items?.$ref;
          const id = ref && (ref.includes('.') ? ref : `${d.domain}.${ref}`);
          const inner = id ? types.get(id) : undefined;
          if (id && inner && !seen.has(id) && seen.size < 4) walk(inner, `${name}.`, new Set([...seen, id]));
        }
      };
      walk(c.parameters ?? [], '', new Set());
    }
  }
  return found;
}

function covered(suspect: string): boolean {
  if (REVIEWED_SAFE[suspect]) return true;
  const [command, param] = suspect.split(' ') as [string, string];
  const entry = guardFor(command);
  return entry !== undefined && (entry.params === undefined || entry.params.includes(param));
}

describe("the guard's review of the running Chromium's protocol", () => {
  let dir: string;
  let chromium: TestChromium;
  let protocol: Protocol;
  beforeAll(async () => {
    dir = tempDir('hangar-protocol-review-');
    chromium = await startTestChromium(dir);
    protocol = (await (await fetch(`http://127.0.0.1:${chromium.port}/json/protocol`)).json()) as Protocol;
  });
  afterAll(async () => {
    await chromium?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the parameters it knows are dangerous (the scan itself works)', () => {
    const found = suspects(protocol);
    for (const known of ['DOM.setFileInputFiles files', 'Extensions.loadUnpacked path', 'Browser.setDownloadBehavior downloadPath', 'Input.dispatchDragEvent data.files', 'Page.navigate url']) {
      expect(found).toContain(known);
    }
  });

  it('has every parameter that may name a host path, file or URL guarded or reviewed safe with a reason', () => {
    // A failure here after a Chromium upgrade: read the command (README.md, "Reviewing a Chromium
    // upgrade"), then guard it in guarded-methods.ts or say why it is safe in reviewed-params.ts.
    expect(suspects(protocol).filter((s) => !covered(s))).toEqual([]);
  });

  it('knows every domain of the protocol', () => {
    expect(protocol.domains.map((d) => d.domain).filter((d) => !REVIEWED_DOMAINS.includes(d))).toEqual([]);
  });

  it('lists nothing as reviewed that this Chromium no longer has', () => {
    const found = new Set(suspects(protocol));
    expect(Object.keys(REVIEWED_SAFE).filter((s) => !found.has(s))).toEqual([]);
  });
});
