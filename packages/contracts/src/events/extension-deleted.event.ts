import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** The extension is gone: no new session may name it; its stored zip is removed after this. */
export const ExtensionDeleted = defineEvent('ExtensionDeleted', 1, z.object({ extensionId: z.string(), projectId: z.string() }));
