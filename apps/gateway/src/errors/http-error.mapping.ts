import { STATUS_CODES } from 'node:http';
import { types } from 'node:util';
import { HttpException } from '@nestjs/common';
import { CommandUnavailable } from '@hangar/messaging';
import { ApiError, HTTP_STATUS_BY_CODE, type ApiErrorCode } from './api-error.js';
import type { ErrorBody } from './error.body.js';

export type { ErrorBody } from './error.body.js';

export interface HttpErrorResponse {
  status: number;
  code: ApiErrorCode;
  body: ErrorBody;
  headers: Record<string, string>;
  /** A fault of ours or of our infrastructure, worth a log line; client mistakes and refusals are not. */
  serverFault: boolean;
}

/** Fastify's request-parsing refusals, by its error code. */
const FASTIFY_CODES: Record<string, { code: ApiErrorCode; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is larger than the server accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request body must be JSON (content-type: application/json)' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MALFORMED_REQUEST', message: 'content-length does not match the request body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_REQUEST', message: 'request body is empty but content-type says JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_REQUEST', message: 'request body is not valid JSON (content-type says application/json)' },
  FST_ERR_BAD_URL: { code: 'MALFORMED_REQUEST', message: 'the URL is not valid (bad percent-encoding)' },
};

const build = (code: ApiErrorCode, message: string, headers: Record<string, string> = {}, status: number = HTTP_STATUS_BY_CODE[code]): HttpErrorResponse => ({
  status,
  code,
  body: { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message },
  headers,
  serverFault: code === 'INTERNAL' || code === 'UNAVAILABLE',
});

/**
 * The one place any thrown value becomes an HTTP answer. Client input can only ever produce a
 * 4xx here: everything a client can send that Fastify or Nest refuse carries a 4xx status of its
 * own, and our own refusals are ApiErrors. What is left is ours: 503 when a dependency is down
 * (retryable), 500 otherwise.
 */
export function toHttpError(err: unknown): HttpErrorResponse {
  if (err instanceof ApiError) return build(err.code, err.message, { ...err.headers });
  if (err instanceof CommandUnavailable) {
    return build('UNAVAILABLE', 'the session scheduler did not answer; retry shortly', { 'retry-after': '1' });
  }
  const cause = err instanceof HttpException ? (err.cause ?? err) : err;
  const fastifyCode = errorCode(cause);
  const known = fastifyCode ? FASTIFY_CODES[fastifyCode] : undefined;
  if (known) return build(known.code, known.message ?? describeParseError(cause));
  if (isError(cause) && cause.name === 'SyntaxError' && clientStatus(cause) === 400) return build('MALFORMED_REQUEST', describeParseError(cause));

  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status < 500) return build(codeForStatus(status), httpExceptionMessage(err), {}, status);
  }
  const status = clientStatus(cause);
  if (status !== undefined) return build(codeForStatus(status), messageOf(cause) ?? STATUS_CODES[status] ?? 'bad request', {}, status);
  if (isDependencyDown(cause)) return build('UNAVAILABLE', 'a backing service is unavailable; retry shortly', { 'retry-after': '1' });
  return build('INTERNAL', 'internal error');
}

function codeForStatus(status: number): ApiErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return 'VALIDATION';
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A 4xx status a library attached to its error (Fastify errors, the JSON parser's SyntaxError). */
function clientStatus(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; status?: unknown } | null;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.status === 'number' ? e.status : undefined;
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}

/** Across realms too: errors from Node's own modules are not `instanceof` another realm's Error. */
const isError = (err: unknown): err is Error => err instanceof Error || types.isNativeError(err);

function messageOf(err: unknown): string | undefined {
  return isError(err) && err.message ? err.message : undefined;
}

function describeParseError(err: unknown): string {
  const detail = messageOf(err);
  return detail ? `request body is not valid JSON: ${detail}` : 'request body is not valid JSON';
}

function httpExceptionMessage(err: HttpException): string {
  const response = err.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : err.message;
}

const DEPENDENCY_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);

const DEPENDENCY_DOWN_NAMES = new Set(['ConnectionError', 'ClosedConnectionError', 'DrainingConnectionError', 'TimeoutError', 'RequestError', 'NoResponders']);

/** Postgres or NATS unreachable: nothing the client did, and retrying later helps. */
function isDependencyDown(err: unknown): boolean {
  if (!isError(err)) return false;
  const code = errorCode(err);
  if (code && (DEPENDENCY_DOWN_CODES.has(code) || /^08/.test(code))) return true;
  if (DEPENDENCY_DOWN_NAMES.has(err.name)) return true;
  // pg's pool reports a refused or timed-out connect only in the message.
  return /timeout exceeded when trying to connect|Connection terminated/.test(err.message);
}
