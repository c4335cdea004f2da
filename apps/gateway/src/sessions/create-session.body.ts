import { z } from 'zod';
import { REGIONS, type BrowserSettings, type MetadataValue } from '@hangar/contracts';
import { parseOrThrow } from '../errors/validation-message.js';

const MIN_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 21_600;
/** Browserbase's limit on the serialized user metadata. */
const MAX_METADATA_CHARS = 512;
/** Far beyond any real screen; keeps absurd sizes from reaching Chromium. */
const MAX_VIEWPORT_PIXELS = 16_384;

const TIMEOUT_RULE = `must be an integer between ${MIN_TIMEOUT_SECONDS} and ${MAX_TIMEOUT_SECONDS}`;
const VIEWPORT_RULE = `must be a positive integer no greater than ${MAX_VIEWPORT_PIXELS}`;

const viewportSide = z.number({ error: VIEWPORT_RULE }).int({ error: VIEWPORT_RULE }).min(1, { error: VIEWPORT_RULE }).max(MAX_VIEWPORT_PIXELS, { error: VIEWPORT_RULE });

/** Known fields are checked; unknown ones are dropped, as the hosted API ignores what it does not know. */
const browserSettingsBody = z.object({
  viewport: z.object({ width: viewportSide, height: viewportSide }).optional(),
  context: z.object({ id: z.string().min(1), persist: z.boolean().optional() }).optional(),
  extensionId: z.string().min(1).optional(),
  blockAds: z.boolean().optional(),
  solveCaptchas: z.boolean().optional(),
  captchaImageSelector: z.string().optional(),
  captchaInputSelector: z.string().optional(),
  recordSession: z.boolean().optional(),
  logSession: z.boolean().optional(),
  os: z.enum(['windows', 'mac', 'linux', 'mobile', 'tablet']).optional(),
  ignoreCertificateErrors: z.boolean().optional(),
  allowedDomains: z.array(z.string().min(1)).optional(),
  advancedStealth: z.boolean().optional(),
  verified: z.boolean().optional(),
});

const domainPattern = z.string().min(1).optional();
const proxyConfig = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('browserbase'),
      domainPattern,
      geolocation: z
        .object({
          country: z.string().length(2, { error: 'must be a two-letter ISO 3166-1 country code' }),
          state: z.string().length(2, { error: 'must be a two-letter US state code' }).optional(),
          city: z.string().min(1).optional(),
        })
        .optional(),
    }),
    z.object({ type: z.literal('external'), server: z.string().min(1), username: z.string().optional(), password: z.string().optional(), domainPattern }),
    z.object({ type: z.literal('none'), domainPattern }),
  ],
  { error: 'must be one of browserbase, external, none' },
);

function isMetadataObject(value: unknown): value is Record<string, MetadataValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every(
    (v) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || isMetadataObject(v),
  );
}

const userMetadata = z
  .custom<Record<string, MetadataValue>>(isMetadataObject, {
    error: 'must be a JSON object whose values are strings, numbers, booleans, null or nested objects (arrays are not allowed)',
  })
  .refine((v) => JSON.stringify(v).length < MAX_METADATA_CHARS, { error: `must serialize to fewer than ${MAX_METADATA_CHARS} characters of JSON` });

export const createSessionBody = z.object(
  {
    projectId: z.string().min(1).optional(),
    extensionId: z.string().min(1).optional(),
    keepAlive: z.boolean().optional(),
    timeout: z
      .number({ error: TIMEOUT_RULE })
      .int({ error: TIMEOUT_RULE })
      .min(MIN_TIMEOUT_SECONDS, { error: TIMEOUT_RULE })
      .max(MAX_TIMEOUT_SECONDS, { error: TIMEOUT_RULE })
      .optional(),
    region: z.enum(REGIONS).optional(),
    userMetadata: userMetadata.optional(),
    proxies: z.union([z.boolean(), z.array(proxyConfig)], { error: 'must be true, false or an array of proxy configurations' }).optional(),
    browserSettings: browserSettingsBody.optional(),
  },
  { error: 'must be a JSON object' },
);
export type CreateSessionBody = z.infer<typeof createSessionBody>;

/** The defaults the API documents, written out so the node applies exactly what was asked. */
const BROWSER_SETTING_DEFAULTS = { recordSession: true, logSession: true, ignoreCertificateErrors: true } as const;

export interface CreateSessionRequest {
  projectId?: string | undefined;
  extensionId?: string | undefined;
  keepAlive: boolean;
  timeoutSeconds?: number | undefined;
  region: (typeof REGIONS)[number];
  userMetadata?: Record<string, MetadataValue> | undefined;
  contextId?: string | undefined;
  proxies?: CreateSessionBody['proxies'];
  browserSettings: BrowserSettings;
}

/** An absent body is an empty one: `POST /v1/sessions` with no body creates a default session. */
export function parseCreateSessionBody(input: unknown): CreateSessionRequest {
  const body = parseOrThrow(createSessionBody, input === undefined ? {} : input);
  const browserSettings = { ...BROWSER_SETTING_DEFAULTS, ...body.browserSettings };
  return {
    projectId: body.projectId,
    extensionId: body.extensionId ?? browserSettings.extensionId,
    keepAlive: body.keepAlive ?? false,
    timeoutSeconds: body.timeout,
    region: body.region ?? 'us-west-2',
    userMetadata: body.userMetadata,
    contextId: browserSettings.context?.id,
    proxies: body.proxies,
    browserSettings,
  };
}
