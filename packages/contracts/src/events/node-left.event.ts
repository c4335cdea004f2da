import { z } from 'zod';
import { defineEvent } from '../envelope.js';

export const NodeLeft = defineEvent('NodeLeft', 1, z.object({ nodeId: z.string(), reason: z.enum(['SHUTDOWN', 'LOST']) }));
