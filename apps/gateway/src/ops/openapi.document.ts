import { REGIONS, SESSION_STATUSES } from '@hangar/contracts';

/**
 * Hand-written: small enough to read, and it describes only what this gateway serves. Keep it
 * in step with the controllers (ops.int.spec.ts checks every documented path is routed).
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ref('Error')) });
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const authErrors = { '401': error('Missing or unknown X-BB-API-Key'), '403': error('projectId is not the key\'s project') };

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Hangar API', version: '1', description: 'Browserbase v1 compatible browser sessions, self-hosted.' },
    servers: [{ url: serverUrl }],
    security: [{ BrowserbaseAuth: [] }],
    paths: {
      '/v1/sessions': {
        post: {
          operationId: 'Sessions_create',
          summary: 'Create a session',
          requestBody: json(ref('SessionCreate')),
          responses: {
            '201': { description: 'Created', ...json({ allOf: [ref('Session'), ref('ConnectInfo')] }) },
            '400': error('Invalid body; the message names the field and the rule'),
            ...authErrors,
            '413': error('Body over the size limit'),
            '429': { ...error('Project at its concurrency or create-rate limit'), headers: rateLimitHeaders() },
            '503': error('No scheduler answered, no capacity, or the browser failed to launch; retry'),
          },
        },
        get: {
          operationId: 'Sessions_list',
          summary: 'List sessions, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: SESSION_STATUSES } },
            { name: 'q', in: 'query', schema: { type: 'string' }, description: "user_metadata['key']['nested']:'value'" },
          ],
          responses: { '200': { description: 'OK', ...json({ type: 'array', items: ref('Session') }) }, '400': error('Bad status or q'), ...authErrors },
        },
      },
      '/v1/sessions/{id}': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Sessions_get',
          summary: 'Get a session (with connect details while it runs)',
          responses: { '200': { description: 'OK', ...json({ allOf: [ref('Session'), ref('ConnectInfo')] }) }, ...authErrors, '404': error('No such session') },
        },
        post: {
          operationId: 'Sessions_update',
          summary: 'Request release of a session (idempotent)',
          requestBody: json({ type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['REQUEST_RELEASE'] }, projectId: { type: 'string' } } }),
          responses: { '200': { description: 'OK', ...json(ref('Session')) }, '400': error('status is not REQUEST_RELEASE'), ...authErrors, '404': error('No such session') },
        },
      },
      '/v1/projects': {
        get: { operationId: 'Projects_list', summary: "The key's project", responses: { '200': { description: 'OK', ...json({ type: 'array', items: ref('Project') }) }, ...authErrors } },
      },
      '/v1/projects/{id}': {
        parameters: [idParam('id')],
        get: { operationId: 'Projects_get', responses: { '200': { description: 'OK', ...json(ref('Project')) }, ...authErrors, '404': error('No such project') } },
      },
      '/v1/projects/{id}/usage': {
        parameters: [idParam('id')],
        get: {
          operationId: 'Projects_usage',
          responses: {
            '200': { description: 'OK', ...json({ type: 'object', required: ['browserMinutes', 'proxyBytes'], properties: { browserMinutes: { type: 'integer' }, proxyBytes: { type: 'integer' } } }) },
            ...authErrors,
            '404': error('No such project'),
          },
        },
      },
      '/v1/nodes': {
        get: {
          operationId: 'Nodes_list',
          summary: "Hangar's browser fleet as the scheduler sees it (not part of the Browserbase API); any project's key",
          responses: {
            '200': { description: 'OK, sorted by id', ...json({ type: 'array', items: ref('Node') }) },
            '401': authErrors['401'],
            '500': error('The scheduler answered outside its contract'),
            '503': error('No scheduler answered within 1 s, or it is still rebuilding its state; retry'),
          },
        },
      },
      '/healthz': { get: { security: [], summary: 'Liveness', responses: { '200': { description: 'Alive' } } } },
      '/readyz': { get: { security: [], summary: 'Readiness (NATS and Postgres answer)', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } },
      '/metrics': { get: { security: [], summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain exposition format' } } } },
      '/openapi.json': { get: { security: [], summary: 'This document', responses: { '200': { description: 'OpenAPI 3 document' } } } },
    },
    components: {
      securitySchemes: { BrowserbaseAuth: { type: 'apiKey', in: 'header', name: 'X-BB-API-Key' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['statusCode', 'error', 'message'],
          properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
        },
        Session: {
          type: 'object',
          required: ['id', 'createdAt', 'updatedAt', 'projectId', 'startedAt', 'expiresAt', 'status', 'proxyBytes', 'keepAlive', 'region'],
          properties: {
            id: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            projectId: { type: 'string' },
            startedAt: { type: 'string', format: 'date-time' },
            endedAt: { type: 'string', format: 'date-time' },
            expiresAt: { type: 'string', format: 'date-time' },
            status: { type: 'string', enum: SESSION_STATUSES },
            proxyBytes: { type: 'integer' },
            keepAlive: { type: 'boolean' },
            contextId: { type: 'string' },
            region: { type: 'string', enum: REGIONS },
            userMetadata: { type: 'object', additionalProperties: true },
          },
        },
        ConnectInfo: {
          type: 'object',
          properties: {
            connectUrl: { type: 'string', description: 'ws(s)://<host>/?signingKey=<key>: CDP WebSocket (Puppeteer, Playwright)' },
            seleniumRemoteUrl: { type: 'string', description: 'http(s)://<host>/webdriver' },
            signingKey: { type: 'string' },
          },
        },
        SessionCreate: {
          type: 'object',
          properties: {
            projectId: { type: 'string' },
            extensionId: { type: 'string' },
            keepAlive: { type: 'boolean', default: false },
            timeout: { type: 'integer', minimum: 60, maximum: 21600, description: "Seconds; defaults to the project's defaultTimeout" },
            region: { type: 'string', enum: REGIONS, default: 'us-west-2' },
            userMetadata: { type: 'object', additionalProperties: true, description: 'No arrays; serialized under 512 characters' },
            proxies: {
              oneOf: [
                { type: 'boolean' },
                {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['type'],
                    properties: {
                      type: { type: 'string', enum: ['browserbase', 'external', 'none'] },
                      server: { type: 'string' },
                      username: { type: 'string' },
                      password: { type: 'string' },
                      domainPattern: { type: 'string' },
                      geolocation: { type: 'object', properties: { country: { type: 'string' }, state: { type: 'string' }, city: { type: 'string' } } },
                    },
                  },
                },
              ],
            },
            browserSettings: {
              type: 'object',
              properties: {
                viewport: { type: 'object', required: ['width', 'height'], properties: { width: { type: 'integer', minimum: 1 }, height: { type: 'integer', minimum: 1 } } },
                context: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, persist: { type: 'boolean' } } },
                extensionId: { type: 'string' },
                blockAds: { type: 'boolean' },
                solveCaptchas: { type: 'boolean' },
                recordSession: { type: 'boolean', default: true },
                logSession: { type: 'boolean', default: true },
                os: { type: 'string', enum: ['windows', 'mac', 'linux', 'mobile', 'tablet'] },
                ignoreCertificateErrors: { type: 'boolean', default: true },
                allowedDomains: { type: 'array', items: { type: 'string' } },
                advancedStealth: { type: 'boolean' },
                verified: { type: 'boolean' },
              },
            },
          },
        },
        Node: {
          type: 'object',
          required: ['id', 'region', 'endpoint', 'state', 'maxSessions', 'running', 'load', 'lastHeartbeatAt'],
          properties: {
            id: { type: 'string' },
            region: { type: 'string', enum: REGIONS },
            endpoint: { type: 'string', description: "The node's internal CDP endpoint (ws://host:port), as it announces it" },
            state: {
              type: 'string',
              enum: ['ready', 'draining', 'lost'],
              description: 'ready: takes new sessions; draining: serves its sessions, takes no new ones; lost: stopped heartbeating',
            },
            maxSessions: { type: 'integer' },
            running: { type: 'integer', description: 'Browsers running, by its own last heartbeat' },
            load: { type: 'integer', description: 'Sessions the scheduler has placed on it (pending and running)' },
            lastHeartbeatAt: { type: 'string', format: 'date-time' },
          },
        },
        Project: {
          type: 'object',
          required: ['id', 'name', 'ownerId', 'concurrency', 'defaultTimeout', 'createdAt', 'updatedAt'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            ownerId: { type: 'string' },
            concurrency: { type: 'integer' },
            defaultTimeout: { type: 'integer' },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
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
