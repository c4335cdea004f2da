import { z } from 'zod';
import { artifactStoreEnv } from '@hangar/artifacts';
import { DEFAULT_EXTENSION_LIMITS, proxyPoolEnv } from '@hangar/domain';
import { commonEnv, databaseEnv, intFromEnv, internalSecretEnv, parseEnv } from '@hangar/runtime';

/** The gateway's whole configuration; `process.env` is read here and nowhere else. */
export const gatewayEnvSchema = z.object({
  ...commonEnv,
  ...databaseEnv,
  /** Where session artifacts are read from (the nodes and the archiver write them): @hangar/artifacts. */
  ...artifactStoreEnv,
  /** The operator's upstreams for `proxies: true` / `type: "browserbase"` (network/ in packages/domain); without it those are a 400. */
  ...proxyPoolEnv,
  HANGAR_PORT: intFromEnv(0, 65535).default(3000),
  HANGAR_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Base URL clients reach this gateway at (behind a load balancer or TLS terminator): the origin
   * of `connectUrl` and `seleniumRemoteUrl`. Defaults to http://<host>:<port>.
   */
  HANGAR_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** Keys the per-session signing keys; every gateway replica must share it. */
  HANGAR_SIGNING_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }),
  /**
   * Keys the short-lived token each forwarded connect carries to a browser-node (which holds the
   * same value). Not the signing secret: a node must not be able to mint connectUrls.
   */
  ...internalSecretEnv,
  HANGAR_COMMAND_TIMEOUT_MS: intFromEnv(100, 600_000).default(30_000),
  HANGAR_BODY_LIMIT_BYTES: intFromEnv(1024, 100 * 1024 * 1024).default(1_048_576),
  /** The largest file `POST /v1/sessions/:id/uploads` takes (files/); the nodes cap it too. */
  HANGAR_UPLOAD_MAX_BYTES: intFromEnv(1, 2 ** 40).default(100 * 1024 * 1024),
  /** The largest zip `POST /v1/extensions` takes (extensions/): 413 past it. */
  HANGAR_EXTENSION_MAX_BYTES: intFromEnv(1, 2 ** 32).default(32 * 1024 * 1024),
  /** What an extension zip may expand to, and how many entries it may have: 400 past either (zip bombs). Nodes unpack with the same caps (set them alike). */
  HANGAR_EXTENSION_MAX_UNPACKED_BYTES: intFromEnv(1, 2 ** 34).default(DEFAULT_EXTENSION_LIMITS.maxUnpackedBytes),
  HANGAR_EXTENSION_MAX_ENTRIES: intFromEnv(1, 1_000_000).default(DEFAULT_EXTENSION_LIMITS.maxEntries),
  /**
   * How long after a session's end `GET …/logs` and `…/recording` wait for its node's last
   * telemetry of that kind (its `end`, published once the browser is gone) before answering what
   * the stream holds (telemetry/). A read right after a release would otherwise miss the tail.
   */
  HANGAR_TELEMETRY_WAIT_MS: intFromEnv(0, 120_000).default(5_000),
  /** How long after a session's end `GET …/downloads` waits for its node to store the zip (files/). */
  HANGAR_DOWNLOADS_WAIT_MS: intFromEnv(0, 120_000).default(10_000),
  /**
   * How long a connect to a session that is still PENDING waits for its browser to start before
   * answering 503. CDP clients (puppeteer.connect, connectOverCDP) do not retry a refused upgrade.
   */
  HANGAR_CONNECT_PENDING_WAIT_MS: intFromEnv(0, 120_000).default(10_000),
  /** How long a resolved API key is trusted without asking Postgres again. */
  HANGAR_API_KEY_CACHE_MS: intFromEnv(0, 3_600_000).default(10_000),
  /**
   * The projector's checkpoint that vouches for the sessions table (the projector's own
   * HANGAR_PROJECTION_NAME): a session read skips its per-session stream check while that
   * checkpoint has reached the last session event.
   */
  HANGAR_PROJECTION_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, _ and - only' }).default('read-model'),
  /**
   * How long `GET /v1/sessions` may wait for the projector to catch up with the session events
   * already in the stream (read-your-writes for lists); 0 answers from the projection as it is.
   */
  HANGAR_LIST_WAIT_MS: intFromEnv(0, 60_000).default(1_000),
  /** A connected client that has sent nothing for this long is sent a WebSocket ping. */
  HANGAR_WS_PING_INTERVAL_MS: intFromEnv(10, 600_000).default(10_000),
  /**
   * A connected client that has sent nothing (not even the pong to a ping) for this long is gone
   * without a close frame: its connection is cut, so the node records the disconnect and a
   * non-keepAlive session ends.
   */
  HANGAR_WS_IDLE_TIMEOUT_MS: intFromEnv(20, 3_600_000).default(30_000),
}).refine((env) => env.HANGAR_WS_IDLE_TIMEOUT_MS > env.HANGAR_WS_PING_INTERVAL_MS, {
  error: 'HANGAR_WS_IDLE_TIMEOUT_MS must be greater than HANGAR_WS_PING_INTERVAL_MS, or clients are cut before they are ever pinged',
  path: ['HANGAR_WS_IDLE_TIMEOUT_MS'],
}).refine((env) => env.HANGAR_INTERNAL_SECRET !== env.HANGAR_SIGNING_SECRET, {
  error: 'HANGAR_INTERNAL_SECRET must differ from HANGAR_SIGNING_SECRET: browser-nodes hold the internal one',
  path: ['HANGAR_INTERNAL_SECRET'],
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export const loadGatewayEnv = (source: NodeJS.ProcessEnv = process.env): GatewayEnv => parseEnv(gatewayEnvSchema, source);
