import { z } from 'zod';

export const REGIONS = ['us-west-2', 'us-east-1', 'eu-central-1', 'ap-southeast-1'] as const;
export const regionSchema = z.enum(REGIONS);
export type Region = z.infer<typeof regionSchema>;

export const SESSION_STATUSES = ['PENDING', 'RUNNING', 'ERROR', 'TIMED_OUT', 'COMPLETED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const ENDED_STATUSES = ['COMPLETED', 'TIMED_OUT', 'ERROR'] as const;
export const endedStatusSchema = z.enum(ENDED_STATUSES);
export type EndedStatus = z.infer<typeof endedStatusSchema>;

/** Why a session ended: a closed set, so every consumer can switch over it exhaustively. */
export const END_REASONS = [
  'RELEASED',
  'CLIENT_DISCONNECTED',
  'BROWSER_CLOSED',
  'TIMEOUT',
  'CONNECT_TIMEOUT',
  'BROWSER_CRASHED',
  'LAUNCH_FAILED',
  'NODE_LOST',
  'NODE_RESTARTED',
  'NODE_UNREACHABLE',
  'NODE_SHUTDOWN',
] as const;
export const endReasonSchema = z.enum(END_REASONS);
export type EndReason = z.infer<typeof endReasonSchema>;

/** JSON values as the API accepts them in user metadata: objects nest, arrays are refused. */
export type MetadataValue = string | number | boolean | null | { [key: string]: MetadataValue };
const metadataValue: z.ZodType<MetadataValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), metadataValue)]),
);
export const userMetadataSchema = z.record(z.string(), metadataValue);

/** The browser-facing settings a node applies; validated in full by the gateway. */
export const browserSettingsSchema = z
  .object({
    viewport: z.object({ width: z.number().int(), height: z.number().int() }).optional(),
    context: z.object({ id: z.string(), persist: z.boolean().optional() }).optional(),
    extensionId: z.string().optional(),
    blockAds: z.boolean().optional(),
    solveCaptchas: z.boolean().optional(),
    recordSession: z.boolean().optional(),
    logSession: z.boolean().optional(),
    os: z.string().optional(),
    ignoreCertificateErrors: z.boolean().optional(),
    allowedDomains: z.array(z.string()).optional(),
    advancedStealth: z.boolean().optional(),
    verified: z.boolean().optional(),
  })
  .loose();
export type BrowserSettings = z.infer<typeof browserSettingsSchema>;

export const proxySettingSchema = z.union([z.boolean(), z.array(z.record(z.string(), z.unknown()))]);
