import { z } from 'zod';
import { DOMAIN_PATTERN, proxyExtrasSchema, proxySettingSchema } from './proxy-settings.js';

export const REGIONS = ['us-west-2', 'us-east-1', 'eu-central-1', 'ap-southeast-1'] as const;
export const DEFAULT_REGION = 'us-west-2' satisfies (typeof REGIONS)[number];
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

/*
 * The settings a session is created with: validated once, by the gateway, with these schemas;
 * carried as they are by the create command and SessionRequested, and read by the scheduler and
 * the node from there. The rules' messages are the API's 400s ("timeout must be …"), so they are
 * written here, with the rule.
 */

export const MIN_TIMEOUT_SECONDS = 60;
export const MAX_TIMEOUT_SECONDS = 21_600;
const TIMEOUT_RULE = `must be an integer between ${MIN_TIMEOUT_SECONDS} and ${MAX_TIMEOUT_SECONDS}`;
export const timeoutSecondsSchema = z
  .number({ error: TIMEOUT_RULE })
  .int({ error: TIMEOUT_RULE })
  .min(MIN_TIMEOUT_SECONDS, { error: TIMEOUT_RULE })
  .max(MAX_TIMEOUT_SECONDS, { error: TIMEOUT_RULE });

/** JSON values as the API accepts them in user metadata: objects nest, arrays are refused. */
export type MetadataValue = string | number | boolean | null | { [key: string]: MetadataValue };
/** The shape of a metadata value, for documents (the OpenAPI schema refers to it). */
export const metadataValueSchema: z.ZodType<MetadataValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), metadataValueSchema)]),
);
function isMetadataObject(value: unknown): value is Record<string, MetadataValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every(
    (v) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || isMetadataObject(v),
  );
}
/** Browserbase's limit on the serialized user metadata. */
export const MAX_METADATA_CHARS = 512;
const METADATA_RULE = 'must be a JSON object whose values are strings, numbers, booleans, null or nested objects (arrays are not allowed)';
/**
 * Checked whole rather than as a recursive schema: a bad value deep inside is reported as one
 * rule on `userMetadata`, not as a union failure at some nested path.
 */
export const userMetadataSchema = z
  .record(z.string(), z.unknown(), { error: METADATA_RULE })
  .refine(isMetadataObject, { error: METADATA_RULE, abort: true })
  .refine((v) => JSON.stringify(v).length < MAX_METADATA_CHARS, { error: `must serialize to fewer than ${MAX_METADATA_CHARS} characters of JSON` })
  .meta({ description: `A JSON object; values nest, arrays are not allowed; serialized under ${MAX_METADATA_CHARS} characters` }) as unknown as z.ZodType<
  Record<string, MetadataValue>
>;

/** Far beyond any real screen; keeps absurd sizes from reaching Chromium. */
export const MAX_VIEWPORT_PIXELS = 16_384;
const VIEWPORT_RULE = `must be a positive integer no greater than ${MAX_VIEWPORT_PIXELS}`;
const viewportSide = z.number({ error: VIEWPORT_RULE }).int({ error: VIEWPORT_RULE }).min(1, { error: VIEWPORT_RULE }).max(MAX_VIEWPORT_PIXELS, { error: VIEWPORT_RULE });

/** More would be a list of sites, not a fence; each entry is checked on every top-level navigation. */
export const MAX_ALLOWED_DOMAINS = 1_000;
const ALLOWED_DOMAIN_RULE = 'must be a domain (example.com: it and its subdomains), *.example.com (its subdomains only) or *';
const allowedDomainsSchema = z
  .array(z.string({ error: ALLOWED_DOMAIN_RULE }).max(253, { error: ALLOWED_DOMAIN_RULE }).regex(DOMAIN_PATTERN, { error: ALLOWED_DOMAIN_RULE }), {
    error: 'must be an array of domains',
  })
  .max(MAX_ALLOWED_DOMAINS, { error: `must hold at most ${MAX_ALLOWED_DOMAINS} domains` })
  .meta({ description: 'Top-level navigations outside these domains fail (net::ERR_BLOCKED_BY_CLIENT) and are logged; subresources are not judged' });

/** The defaults the API documents, written into the settings so the node applies exactly what was asked. */
export const BROWSER_SETTING_DEFAULTS = { recordSession: true, logSession: true, ignoreCertificateErrors: true } as const;

/**
 * What the browser is to be. `extensionId` and `context.id` live here and nowhere else: the
 * body's top-level `extensionId` is folded in by `sessionSettingsFromBody`. Unknown fields are
 * dropped, as the hosted API ignores what it does not know.
 */
export const browserSettingsSchema = z.object({
  viewport: z.object({ width: viewportSide, height: viewportSide }).optional(),
  context: z.object({ id: z.string().min(1), persist: z.boolean().optional() }).optional(),
  extensionId: z.string().min(1).optional(),
  blockAds: z.boolean().optional(),
  solveCaptchas: z.boolean().optional(),
  captchaImageSelector: z.string().optional(),
  captchaInputSelector: z.string().optional(),
  recordSession: z.boolean().optional().meta({ default: BROWSER_SETTING_DEFAULTS.recordSession }),
  logSession: z.boolean().optional().meta({ default: BROWSER_SETTING_DEFAULTS.logSession }),
  os: z.enum(['windows', 'mac', 'linux', 'mobile', 'tablet']).optional(),
  ignoreCertificateErrors: z.boolean().optional().meta({ default: BROWSER_SETTING_DEFAULTS.ignoreCertificateErrors }),
  allowedDomains: allowedDomainsSchema.optional(),
  advancedStealth: z.boolean().optional(),
  verified: z.boolean().optional(),
});
export type BrowserSettings = z.infer<typeof browserSettingsSchema>;


/**
 * The session as asked for, once defaults are filled in: what the create command carries and
 * SessionRequested records. `timeoutSeconds` absent means the project's default, which only the
 * scheduler applies (it holds the project's settings).
 */
export const sessionSettingsSchema = z.object({
  keepAlive: z.boolean(),
  timeoutSeconds: timeoutSecondsSchema.optional(),
  region: regionSchema,
  userMetadata: userMetadataSchema.optional(),
  proxies: proxySettingSchema.optional(),
  proxySettings: proxyExtrasSchema.optional(),
  browserSettings: browserSettingsSchema,
});
export type SessionSettings = z.infer<typeof sessionSettingsSchema>;
