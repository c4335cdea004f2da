import type { CommandError, COMMAND_ERROR_CODES } from '@hangar/contracts';

type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/**
 * Every refusal the gateway answers, by stable code, and its HTTP status: the one table where a
 * code becomes a status. Nothing maps to 409: the SDKs retry 409, and none of these gets better
 * by retrying the same request except the 429/503 ones, which say when to come back.
 */
export const HTTP_STATUS_BY_CODE = {
  // refusals a command handler sends back (packages/contracts command-error.ts)
  VALIDATION: 400,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  NO_CAPACITY: 503,
  NO_REGION: 400,
  LAUNCH_FAILED: 503,
  UNAVAILABLE: 503,
  // the gateway's own
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  MALFORMED_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  SESSION_ENDED: 410,
  GONE: 410,
  SESSION_NOT_READY: 503,
  INTERNAL: 500,
} as const satisfies Record<CommandErrorCode, number> & Record<string, number>;

export type ApiErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  /** A command handler's refusal, with its rate-limit facts turned into the headers clients read. */
  static fromCommand(error: CommandError): ApiError {
    return new ApiError(error.code, error.message, rateLimitHeaders(error));
  }
}

function rateLimitHeaders(error: CommandError): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter = error.retryAfterSeconds ?? error.resetSeconds;
  if (error.code === 'RATE_LIMITED') {
    // The SDKs back off 0.5–8 s on their own; retry-after is what stops them hammering a full project.
    headers['retry-after'] = String(retryAfter ?? 1);
    if (error.limit !== undefined) headers['x-ratelimit-limit'] = String(error.limit);
    headers['x-ratelimit-remaining'] = String(error.remaining ?? 0);
    headers['x-ratelimit-reset'] = String(error.resetSeconds ?? retryAfter ?? 1);
  } else if (retryAfter !== undefined) {
    headers['retry-after'] = String(retryAfter);
  }
  return headers;
}

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} was not found`);
