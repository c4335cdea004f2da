import type { FastifyInstance } from 'fastify';

/**
 * `multipart/form-data` is left unread by Fastify: the upload route streams it through busboy to
 * the node (session-uploads.service.ts) and never holds a file in memory. Fastify's bodyLimit
 * does not apply to it; the upload's own cap (HANGAR_UPLOAD_MAX_BYTES) does. Any other route
 * given a multipart body sees no body, and answers as it would without one.
 */
export function useMultipartStreams(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null, undefined));
}
