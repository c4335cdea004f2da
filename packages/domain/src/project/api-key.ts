import { createHash, randomBytes } from 'node:crypto';

/**
 * An API key's stored digest. Keys are never stored in clear: ApiKeyIssued carries this digest,
 * the read model keeps it, and the gateway hashes every presented key the same way to look it
 * up, so the seeder, the gateway and its tests must agree on it exactly.
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** A new key: `hgr_` and 24 random bytes, base64url. */
export const generateApiKey = (): string => `hgr_${randomBytes(24).toString('base64url')}`;

/** What ApiKeyIssued records in clear beside the digest, to tell keys apart in listings. */
export const apiKeyPrefix = (key: string): string => key.slice(0, 8);
