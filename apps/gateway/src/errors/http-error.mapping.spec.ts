import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { CommandUnavailable } from '@hangar/messaging';
import { ApiError } from './api-error.js';
import { toHttpError } from './http-error.mapping.js';

const fastifyError = (code: string, statusCode: number, message = code) => Object.assign(new Error(message), { name: 'FastifyError', code, statusCode });

describe('toHttpError', () => {
  it.each([
    ['VALIDATION', 400, 'Bad Request'],
    ['NOT_FOUND', 404, 'Not Found'],
    ['RATE_LIMITED', 429, 'Too Many Requests'],
    ['NO_CAPACITY', 503, 'Service Unavailable'],
    ['NO_REGION', 400, 'Bad Request'],
    ['LAUNCH_FAILED', 503, 'Service Unavailable'],
    ['UNAVAILABLE', 503, 'Service Unavailable'],
  ] as const)('command refusal %s → %i', (code, status, error) => {
    const answer = toHttpError(ApiError.fromCommand({ code, message: `because ${code}` }));
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ statusCode: status, error, message: `because ${code}` });
  });

  it('RATE_LIMITED carries retry-after and x-ratelimit-*', () => {
    const answer = toHttpError(ApiError.fromCommand({ code: 'RATE_LIMITED', message: 'full', retryAfterSeconds: 12, limit: 5, remaining: 0, resetSeconds: 30 }));
    expect(answer.headers).toEqual({ 'retry-after': '12', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' });
    expect(answer.serverFault).toBe(false);
  });

  it('RATE_LIMITED without details still says when to retry', () => {
    expect(toHttpError(ApiError.fromCommand({ code: 'RATE_LIMITED', message: 'full' })).headers).toEqual({
      'retry-after': '1',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1',
    });
  });

  it('another refusal with a retry hint passes it on', () => {
    expect(toHttpError(ApiError.fromCommand({ code: 'NO_CAPACITY', message: 'busy', retryAfterSeconds: 3 })).headers).toEqual({ 'retry-after': '3' });
  });

  it('no scheduler answering is a retryable 503', () => {
    const answer = toHttpError(new CommandUnavailable('hangar.cmd.session.create', new Error('503')));
    expect(answer).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, serverFault: true });
  });

  it('never answers 409', () => {
    for (const code of ['VALIDATION', 'NOT_FOUND', 'RATE_LIMITED', 'NO_CAPACITY', 'NO_REGION', 'LAUNCH_FAILED', 'UNAVAILABLE'] as const) {
      expect(toHttpError(ApiError.fromCommand({ code, message: '' })).status).not.toBe(409);
    }
  });

  it.each([
    [fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), 413],
    [fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 415],
    [fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400), 400],
    [fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400), 400],
    [fastifyError('FST_ERR_BAD_URL', 400), 400],
    [Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }), 400],
  ])('Fastify parse refusal %s → %i, directly or wrapped by Nest', (err, status) => {
    expect(toHttpError(err).status).toBe(status);
    expect(toHttpError(new HttpException(err.message, status, { cause: err })).status).toBe(status);
  });

  it('Nest HTTP exceptions keep their status and message', () => {
    expect(toHttpError(new NotFoundException('Cannot GET /x')).body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /x' });
    expect(toHttpError(new BadRequestException(['a is bad', 'b is bad'])).body.message).toBe('a is bad; b is bad');
  });

  it('Postgres or NATS unreachable is a retryable 503', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('closed'), { name: 'ClosedConnectionError' }),
    ]) {
      expect(toHttpError(err)).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    }
  });

  it('anything else is a 500 that does not leak its message', () => {
    const answer = toHttpError(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(answer).toMatchObject({ status: 500, serverFault: true, body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' } });
    expect(toHttpError('a string').status).toBe(500);
    expect(toHttpError(undefined).status).toBe(500);
  });
});
