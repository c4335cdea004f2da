import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error.js';

/**
 * JSON bodies, with two differences from Fastify's parser:
 * - an empty body is no body, not a 400. `curl -X POST -H 'content-type: application/json'
 *   …/v1/sessions` then creates a default session, as it does against the hosted API.
 * - a body over `limit` (HANGAR_BODY_LIMIT_BYTES) is a 413 whose message names the limit, for a
 *   declared length before anything is read, for a chunked body as soon as it passes the limit.
 *   What is left unread of it is drained before the answer (unread-body.hook.ts).
 * Prototype-poisoning protection is kept: the text goes to Fastify's own JSON parser.
 */
export function useJsonBodies(fastify: FastifyInstance, limit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (req, payload, done) => {
    readText(payload, limit).then(
      (text) => {
        if (text.trim() === '') return done(null, undefined);
        // Fastify's own parser answers through `done`; it returns nothing to wait for.
        void parse(req, text, done);
      },
      (err: Error) => done(err, undefined),
    );
  });
}

export function bodyTooLarge(limit: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `request body is larger than the ${limit} bytes this server accepts (HANGAR_BODY_LIMIT_BYTES)`);
}

function readText(payload: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, fail) => {
    if (Number(payload.headers['content-length'] ?? 0) > limit) return fail(bodyTooLarge(limit));
    const chunks: Buffer[] = [];
    let bytes = 0;
    const stop = (err?: Error) => {
      payload.off('data', onData).off('end', onEnd).off('error', onError);
      if (err) fail(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        payload.pause();
        return stop(bodyTooLarge(limit));
      }
      chunks.push(chunk);
    };
    const onEnd = () => stop();
    const onError = () => stop(new ApiError('MALFORMED_REQUEST', 'the request body was cut off before its end'));
    payload.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
