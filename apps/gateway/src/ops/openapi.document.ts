import { z } from 'zod';
import { SESSION_STATUSES } from '@hangar/contracts';
import { componentSchemas, inlineSchema, schemaRef } from './openapi.components.js';

/*
 * The operations are written here (paths, statuses, what each status means); every schema is
 * generated from the zod schemas the gateway validates with and answers with
 * (openapi.components.ts). ops.int.spec.ts checks every documented path is routed, and
 * openapi-contract.int.spec.ts that real requests and answers validate against this document.
 */
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (id: string, description = 'OK') => ({ description, ...json(schemaRef(id)) });
const list = (id: string, description = 'OK') => ({ description, ...json({ type: 'array', items: schemaRef(id) }) });
const error = (description: string) => ({ description, ...json(schemaRef('Error')) });
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
/** SDK 2.21's Extension. */
const EXTENSION = {
  type: 'object',
  required: ['id', 'fileName', 'projectId', 'createdAt', 'updatedAt'],
  properties: { id: { type: 'string' }, fileName: { type: 'string' }, projectId: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } },
};
/** SDK 2.21's Context, and its ContextCreateResponse (also the deprecated PUT's). */
const CONTEXT = {
  type: 'object',
  required: ['id', 'projectId', 'createdAt', 'updatedAt'],
  properties: { id: { type: 'string' }, projectId: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } },
};
const CONTEXT_UPLOAD = {
  type: 'object',
  required: ['id', 'uploadUrl', 'publicKey', 'cipherAlgorithm', 'initializationVectorSize'],
  properties: {
    id: { type: 'string' },
    uploadUrl: { type: 'string', description: 'Deprecated (as upstream): answers 410; a session with browserSettings.context {id, persist: true} saves the profile' },
    publicKey: { type: 'string', description: 'An RSA-2048 SPKI PEM, for SDK compatibility: nothing is ever decrypted with it' },
    cipherAlgorithm: { type: 'string', enum: ['AES-256-CBC'] },
    initializationVectorSize: { type: 'integer' },
  },
};
const authErrors = { '401': error('Missing or unknown X-BB-API-Key'), '403': error("projectId is not the key's project") };

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'Hangar API', version: '1', description: 'Browserbase v1 compatible browser sessions, self-hosted. Swagger UI: /docs' },
    servers: [{ url: serverUrl }],
    security: [{ BrowserbaseAuth: [] }],
    paths: {
      '/v1/sessions': {
        post: {
          operationId: 'Sessions_create',
          summary: 'Create a session',
          requestBody: json(schemaRef('SessionCreate')),
          responses: {
            '201': ok('SessionCreated', 'Created: the session runs, and this is how to connect'),
            '400': error('Invalid body; the message names the field and the rule'),
            ...authErrors,
            '404': error("The scheduler does not know the key's project (yet); retry"),
            '413': error('Body over the size limit'),
            '429': { ...error('Project at its concurrency or create-rate limit'), headers: rateLimitHeaders() },
            '503': error('No scheduler answered, no capacity, or the browser failed to launch; retry'),
          },
        },
        get: {
          operationId: 'Sessions_list',
          summary: 'List sessions, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: inlineSchema(z.enum(SESSION_STATUSES)) },
            { name: 'q', in: 'query', schema: { type: 'string' }, description: "user_metadata['key']['nested']:'value'" },
          ],
          responses: { '200': list('Session'), '400': error('Bad status or q'), ...authErrors },
        },
      },
      '/v1/sessions/{id}': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Sessions_get',
          summary: 'Get a session (with connect details while it runs)',
          responses: { '200': ok('SessionDetail'), ...authErrors, '404': error('No such session') },
        },
        post: {
          operationId: 'Sessions_update',
          summary: 'Request release of a session (idempotent)',
          requestBody: json(schemaRef('SessionUpdate')),
          responses: { '200': ok('Session'), '400': error('status is not REQUEST_RELEASE'), ...authErrors, '404': error('No such session') },
        },
      },
      '/v1/sessions/{id}/logs': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Sessions_logs',
          summary: "The session's CDP log; a Hangar.truncated entry marks where some was lost",
          responses: { '200': list('SessionLog'), ...authErrors, '404': error('No such session') },
        },
      },
      '/v1/sessions/{id}/recording': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Sessions_recording',
          summary: "The session's rrweb events in time order; a Custom event tagged hangar.truncated marks a loss",
          responses: { '200': list('SessionRecording'), ...authErrors, '404': error('No such session') },
        },
      },
      '/v1/sessions/{id}/downloads': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Sessions_downloads',
          summary: "A zip of every file the session's browser downloaded (stored entries; a valid empty zip when none)",
          description:
            'Header x-hangar-downloads says where it came from: node (running, zipped now), artifact (stored at the end), none (no browser yet), lost-with-node (ended, and its node was gone before it could store the files: an empty zip). Past HANGAR_DOWNLOADS_MAX_BYTES the zip holds HANGAR-DOWNLOADS-TRUNCATED.txt naming what was left out.',
          responses: {
            '200': { description: 'application/zip', content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } },
            ...authErrors,
            '404': error('No such session'),
            '503': error("The running session's browser node cannot be reached; retry (retry-after)"),
          },
        },
      },
      '/v1/sessions/{id}/uploads': {
        parameters: [idParam('id')],
        post: {
          operationId: 'Sessions_uploads',
          summary: "Puts a file into the running session's uploads folder; the message names its absolute path for DOM.setFileInputFiles / uploadFile()",
          requestBody: {
            required: true,
            content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } },
          },
          responses: {
            '200': { description: 'Stored', ...json({ type: 'object', required: ['message'], properties: { message: { type: 'string' } } }) },
            '400': error('No multipart field file, or a file name that is empty, "." or ".."'),
            ...authErrors,
            '404': error('No such session'),
            '410': error('The session has ended'),
            '413': error('The file is over HANGAR_UPLOAD_MAX_BYTES (the message names the limit)'),
            '503': error('The session is not running yet, or its node is unreachable; retry'),
          },
        },
      },
      '/v1/extensions': {
        post: {
          operationId: 'Extensions_create',
          summary: 'Uploads a zip of an unpacked extension (manifest.json at its root or in its single top folder); a session names it with extensionId',
          requestBody: {
            required: true,
            content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } },
          },
          responses: {
            '200': { description: 'Stored', ...json(EXTENSION) },
            '400': error('No multipart field file; not a zip; manifest.json missing or invalid; a path that escapes, a symlink, too many entries, or more than HANGAR_EXTENSION_MAX_UNPACKED_BYTES unpacked (the message names it)'),
            ...authErrors,
            '413': error('The zip is over HANGAR_EXTENSION_MAX_BYTES'),
          },
        },
      },
      '/v1/extensions/{id}': {
        parameters: [idParam('id')],
        get: { operationId: 'Extensions_retrieve', summary: 'One extension of the project', responses: { '200': { description: 'The extension', ...json(EXTENSION) }, ...authErrors, '404': error('No such extension (or another project\'s)') } },
        delete: { operationId: 'Extensions_delete', summary: 'Deletes the extension; sessions already running keep theirs', responses: { '204': { description: 'Deleted' }, ...authErrors, '404': error('No such extension (or another project\'s)') } },
      },
      '/v1/contexts': {
        post: {
          operationId: 'Contexts_create',
          summary: 'Creates a context: a saved browser profile that sessions start from (browserSettings.context) and, with persist, save into',
          requestBody: json({ type: 'object', properties: { projectId: { type: 'string' }, name: { type: 'string', description: 'Trimmed; unique in the project among live contexts, without case' } } }),
          responses: { '200': { description: 'Created', ...json(CONTEXT_UPLOAD) }, '400': error('A bad or taken name (the message names it)'), ...authErrors },
        },
      },
      '/v1/contexts/{id}': {
        parameters: [idParam('id')],
        get: { operationId: 'Contexts_retrieve', summary: 'One context of the project', responses: { '200': { description: 'The context', ...json(CONTEXT) }, ...authErrors, '404': error("No such context (or another project's)") } },
        put: { operationId: 'Contexts_update', summary: 'Deprecated upstream; changes nothing and answers as the create', responses: { '200': { description: 'The context', ...json(CONTEXT_UPLOAD) }, ...authErrors, '404': error("No such context (or another project's)") } },
        delete: { operationId: 'Contexts_delete', summary: 'Deletes the context and its saved profiles; sessions running with it keep their browser, and their save is not recorded', responses: { '204': { description: 'Deleted' }, ...authErrors, '404': error("No such context (or another project's)") } },
      },
      '/v1/sessions/{id}/replay': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Sessions_replay',
          summary: 'A URL of the replay page for a browser (not part of the Browserbase API); its token lasts expiresIn seconds',
          parameters: [{ name: 'expiresIn', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 21600, default: 3600 } }],
          responses: { '200': ok('ReplayUrl'), '400': error('expiresIn out of range'), ...authErrors, '404': error('No such session') },
        },
      },
      '/v1/sessions/{id}/debug': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Sessions_debug',
          summary: "Live view URLs of a running session's pages (view token in each URL; readOnlyDebuggerFullscreenUrl is view-only)",
          parameters: [{ name: 'expiresIn', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 21600 }, description: "Seconds the URLs work; default until the session's expiresAt, at most 21600" }],
          responses: {
            '200': ok('SessionLiveURLs'),
            '400': error('expiresIn out of range'),
            ...authErrors,
            '404': error('No such session'),
            '410': error('The session has ended'),
            '503': error('The session is not running yet, has no page open, or its node is unreachable; retry'),
          },
        },
      },
      '/v1/projects': {
        get: { operationId: 'Projects_list', summary: "The key's project", responses: { '200': list('Project'), ...authErrors } },
      },
      '/v1/projects/{id}': {
        parameters: [idParam('id')],
        get: { operationId: 'Projects_get', responses: { '200': ok('Project'), ...authErrors, '404': error('No such project') } },
      },
      '/v1/projects/{id}/usage': {
        parameters: [idParam('id')],
        get: { operationId: 'Projects_usage', responses: { '200': ok('ProjectUsage'), ...authErrors, '404': error('No such project') } },
      },
      '/v1/nodes': {
        get: {
          operationId: 'Nodes_list',
          summary: "Hangar's browser fleet as the scheduler sees it (not part of the Browserbase API); any project's key",
          responses: {
            '200': list('Node', 'OK, sorted by id'),
            '401': authErrors['401'],
            '500': error('The scheduler answered outside its contract'),
            '503': error('No scheduler answered within 1 s, or it is still rebuilding its state; retry'),
          },
        },
      },
      '/healthz': { get: { security: [], summary: 'Liveness', responses: { '200': { description: 'Alive' } } } },
      '/readyz': { get: { security: [], summary: 'Readiness (NATS and Postgres answer)', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } },
      '/metrics': { get: { security: [], summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain exposition format' } } } },
      '/openapi.json': { get: { security: [], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document' } } } },
      '/docs': { get: { security: [], summary: 'Swagger UI for this document (served by the gateway, works offline)', responses: { '200': { description: 'HTML' } } } },
    },
    components: {
      securitySchemes: { BrowserbaseAuth: { type: 'apiKey', in: 'header', name: 'X-BB-API-Key' } },
      schemas: componentSchemas(),
    },
  };
}

function rateLimitHeaders() {
  const int = (description: string) => ({ description, schema: { type: 'integer' } });
  return {
    'retry-after': int('Seconds to wait before retrying'),
    'x-ratelimit-limit': int('The limit that was hit'),
    'x-ratelimit-remaining': int('What is left of it'),
    'x-ratelimit-reset': int('Seconds until it resets'),
  };
}
