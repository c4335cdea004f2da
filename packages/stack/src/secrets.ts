import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateApiKey } from '@hangar/domain';

/** A value generated on first start and kept in the data dir (mode 0600), unless given. */
function kept(dataDir: string, file: string, make: () => string, given?: string): string {
  if (given) return given;
  const p = path.join(dataDir, file);
  if (existsSync(p)) return readFileSync(p, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(p, `${value}\n`, { mode: 0o600 });
  return value;
}

export function stackSecrets(dataDir: string, given: { apiKey?: string | undefined; contextKey?: string | undefined } = {}) {
  return {
    apiKey: kept(dataDir, 'api-key', generateApiKey, given.apiKey),
    projectId: kept(dataDir, 'project-id', randomUUID),
    signingSecret: kept(dataDir, 'signing-secret', () => randomBytes(32).toString('base64url')),
    /** Gateway → node tokens; the nodes get this one, never the signing secret. */
    internalSecret: kept(dataDir, 'internal-secret', () => randomBytes(32).toString('base64url')),
    /** Seals saved context profiles at rest (HANGAR_CONTEXT_KEY): the nodes' alone. */
    contextKey: kept(dataDir, 'context-key', () => randomBytes(32).toString('hex'), given.contextKey),
  };
}
