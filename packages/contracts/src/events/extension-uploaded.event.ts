import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * An extension of the project is in the artifact store, whole and validated (a zip of an
 * unpacked extension with a valid manifest.json, no escaping paths, no symlinks, within the
 * caps). `root` is where manifest.json sits inside the zip: '' or one top folder ('top/').
 * Nothing is appended for a refused upload.
 */
export const ExtensionUploaded = defineEvent(
  'ExtensionUploaded',
  1,
  z.object({
    extensionId: z.string(),
    projectId: z.string(),
    fileName: z.string(),
    root: z.string(),
    key: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
