import { z } from 'zod';
import {
  BROWSER_SETTING_DEFAULTS,
  DEFAULT_REGION,
  browserSettingsSchema,
  regionSchema,
  timeoutSecondsSchema,
  userMetadataSchema,
  type SessionSettings,
} from './session-settings.js';
import { proxyExtrasSchema, proxySettingSchema } from './proxy-settings.js';

/**
 * `POST /v1/sessions` as Browserbase's SDKs send it: the one definition the gateway validates
 * with and the OpenAPI document is generated from. Its parts are the session settings' own
 * schemas, so the body and what the command carries cannot drift apart.
 */
export const createSessionBodySchema = z.object(
  {
    projectId: z.string().min(1).optional().meta({ description: "The API key's project; any other is refused (403)" }),
    extensionId: z.string().min(1).optional().meta({ description: 'The uploaded extension; kept as browserSettings.extensionId (this one wins when both are given)' }),
    keepAlive: z.boolean().optional().meta({ default: false }),
    timeout: timeoutSecondsSchema.optional().meta({ description: "Seconds; absent: the project's defaultTimeout" }),
    region: regionSchema.optional().meta({ default: DEFAULT_REGION }),
    userMetadata: userMetadataSchema.optional(),
    proxies: proxySettingSchema.optional(),
    proxySettings: proxyExtrasSchema.optional().meta({ description: 'Accepted (SDK 2.14+); Hangar has no certificate store: with ignoreCertificateErrors (the default) an intercepting upstream works without it' }),
    browserSettings: browserSettingsSchema.optional(),
  },
  { error: 'must be a JSON object' },
);
export type CreateSessionBody = z.infer<typeof createSessionBodySchema>;

/** A valid body → the settings with the documented defaults written in, each value in its one place. */
export function sessionSettingsFromBody(body: CreateSessionBody): SessionSettings {
  const extensionId = body.extensionId ?? body.browserSettings?.extensionId;
  return {
    keepAlive: body.keepAlive ?? false,
    ...(body.timeout !== undefined ? { timeoutSeconds: body.timeout } : {}),
    region: body.region ?? DEFAULT_REGION,
    ...(body.userMetadata ? { userMetadata: body.userMetadata } : {}),
    ...(body.proxies !== undefined ? { proxies: body.proxies } : {}),
    ...(body.proxySettings !== undefined ? { proxySettings: body.proxySettings } : {}),
    browserSettings: { ...BROWSER_SETTING_DEFAULTS, ...body.browserSettings, ...(extensionId ? { extensionId } : {}) },
  };
}
