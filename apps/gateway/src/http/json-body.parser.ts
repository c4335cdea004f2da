import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies, with one difference from Fastify's parser: an empty body is no body, not a 400.
 * `curl -X POST -H 'content-type: application/json' …/v1/sessions` then creates a default
 * session, as it does against the hosted API. Prototype-poisoning protection is kept.
 */
export function useJsonBodies(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    // Fastify's own parser answers through `done`; it returns nothing to wait for.
    void parse(req, text, done);
  });
}
