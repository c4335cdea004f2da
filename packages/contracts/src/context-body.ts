import { z } from 'zod';

/**
 * `POST /v1/contexts`: SDK 2.21's ContextCreateParams. `name` is only typed here; its rules
 * (trimmed, not empty, at most 200 characters, no control characters) are the domain's
 * (normalizeContextName), so they read the same wherever a name is taken. Unknown fields are
 * ignored, as a newer SDK may send more.
 */
export const createContextBodySchema = z.looseObject({
  projectId: z.string().optional(),
  name: z.unknown().optional(),
});

/** SDK 2.21's ContextCreateResponse, also the deprecated PUT's answer. */
export interface ContextUploadInfo {
  id: string;
  uploadUrl: string;
  publicKey: string;
  cipherAlgorithm: 'AES-256-CBC';
  initializationVectorSize: number;
}

/** SDK 2.21's Context. */
export interface ContextResource {
  id: string;
  projectId: string;
  createdAt: string;
  updatedAt: string;
  name?: string;
}
