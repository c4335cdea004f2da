import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { REGIONS } from '@hangar/contracts';
import { findChromedriver, findChromium } from '@hangar/chromium';
import { artifactStoreEnv, pickArtifactStoreEnv } from '@hangar/artifacts';
import { boolFromEnv, commonEnv, intFromEnv, internalSecretEnv, parseEnv } from '@hangar/runtime';
import { defaultMaxSessions, defaultWarmPoolSize, hostResources } from './node/host-capacity.js';
import { DEFAULT_EXTENSION_LIMITS, DEFAULT_PROFILE_RULES, EgressPolicy, proxyPoolEnv } from '@hangar/domain';
import { parseContextKey } from './contexts/profile-cipher.js';

// A host name like `ip-10-0-0-7.ec2.internal` is not a valid subject token: the dots would
// address other subjects, so the default id keeps only token-safe characters.
const defaultNodeId = () => `node-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '-')}`;

// Nobody can connect to "0.0.0.0": a node bound to every interface (a container) is reached by its
// host name, as docker-compose's service network resolves it.
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** util-linux's `chrt`, which warm-pool refills are started through; none: refills run at normal priority. */
function findChrt(searchPath: string): string | undefined {
  const dirs = [...searchPath.split(path.delimiter).filter(Boolean), '/usr/bin', '/bin'];
  return dirs.map((dir) => path.join(dir, 'chrt')).find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const schema = z
  .object({
    ...commonEnv,
    /** Verifies the gateway's per-connect token (the gateway holds the same value); nothing else may connect. */
    ...internalSecretEnv,
    /** Where the node puts what outlives a session (its downloads): @hangar/artifacts. */
    ...artifactStoreEnv,
    HANGAR_NODE_ID: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only (it is a NATS subject token)')
      .optional(),
    /** Where this node keeps its Chromium profiles; default `.hangar/nodes/<id>`. */
    HANGAR_NODE_DATA_DIR: z.string().min(1).optional(),
    /**
     * Bind address of the CDP proxy; also the advertised host unless HANGAR_NODE_ADVERTISE_HOST is
     * set, except a wildcard (0.0.0.0, ::), which advertises the machine's host name instead.
     */
    HANGAR_NODE_HOST: z.string().min(1).default('127.0.0.1'),
    HANGAR_NODE_ADVERTISE_HOST: z.string().min(1).optional(),
    /** 0 = a free port chosen by the OS. */
    HANGAR_NODE_PORT: intFromEnv(0, 65535).default(0),
    HANGAR_REGION: z.enum(REGIONS).default('us-west-2'),
    /** Default: what the CPUs and memory this process may use allow (node/host-capacity.ts). */
    HANGAR_MAX_SESSIONS: intFromEnv(1, 10_000).optional(),
    /** Pre-started browsers kept ready; 0 disables the pool. Default: node/host-capacity.ts. */
    HANGAR_WARM_POOL: intFromEnv(0, 1_000).optional(),
    CHROME_PATH: z.string().min(1).optional(),
    /** The chromedriver behind `seleniumRemoteUrl` (webdriver/); Chromium's own version. Without one, WebDriver answers 503. */
    CHROMEDRIVER_PATH: z.string().min(1).optional(),
    HANGAR_HEARTBEAT_MS: intFromEnv(50, 60_000).default(1000),
    HANGAR_LAUNCH_TIMEOUT_MS: intFromEnv(100, 300_000).default(15_000),
    HANGAR_HEADLESS: boolFromEnv.default(true),
    /**
     * Nice value of each browser's scheduling autogroup (chromium.launcher.ts), to put busy
     * browsers behind the node's services. Off by default until it has been measured beyond
     * one machine; 5 cut the projection lag p99 under churn from ~470 ms to ~200 ms here.
     */
    HANGAR_CHROMIUM_AUTOGROUP_NICE: intFromEnv(0, 19).default(0),
    /**
     * `auto`: Chromium's sandbox wherever the kernel allows unprivileged user namespaces (probed at
     * start), `--no-sandbox` with a loud warning elsewhere; `off`: always `--no-sandbox`.
     */
    HANGAR_CHROMIUM_SANDBOX: z.enum(['auto', 'off']).default('auto'),
    /** A private mount namespace per browser (policy, /tmp, /dev/shm) when the node may make one; `false` skips the probe. */
    HANGAR_BROWSER_MOUNT_NAMESPACE: boolFromEnv.default(true),
    /** Where the host's browser-user leases live (isolation/browser-users.ts); shared by every node of the host. */
    HANGAR_BROWSER_USER_LEASE_DIR: z.string().min(1).default('/run/hangar/browser-users'),
    /** Bytes of CDP log entries one session may publish; past it one `truncated`, then nothing (telemetry/). */
    HANGAR_LOG_MAX_BYTES: intFromEnv(1024, 2 ** 31).default(50 * 1024 * 1024),
    /** Bytes of rrweb events one session may publish; past it one `truncated`, then nothing (telemetry/). */
    HANGAR_RECORDING_MAX_BYTES: intFromEnv(1024, 2 ** 31).default(200 * 1024 * 1024),
    /** Bytes of files one session's downloads zip holds; past it a note entry says what was left out (files/). */
    HANGAR_DOWNLOADS_MAX_BYTES: intFromEnv(1024, 2 ** 40).default(1024 ** 3),
    /** The largest file one upload may write into a session's uploads folder (files/); the gateway caps it too. */
    HANGAR_UPLOAD_MAX_BYTES: intFromEnv(1, 2 ** 40).default(100 * 1024 * 1024),
    /** The caps an extension is unpacked with (extensions/): the gateway's, set alike on both. */
    HANGAR_EXTENSION_MAX_UNPACKED_BYTES: intFromEnv(1, 2 ** 34).default(DEFAULT_EXTENSION_LIMITS.maxUnpackedBytes),
    HANGAR_EXTENSION_MAX_ENTRIES: intFromEnv(1, 1_000_000).default(DEFAULT_EXTENSION_LIMITS.maxEntries),
    /**
     * Seals and opens context profiles at rest (contexts/): 32 bytes, as 64 hex digits or base64.
     * Every node of a deployment holds the same one (a profile saved on one opens on another);
     * `npm start` generates it into the data dir. Unset: sessions with a context cannot start here.
     */
    HANGAR_CONTEXT_KEY: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined || text === '') return undefined;
        const key = parseContextKey(text);
        if (!key) ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex digits or base64 (e.g. openssl rand -hex 32)' });
        return key;
      }),
    /** Keep the HTTP cache in saved profiles too (off: profiles stay small; the first visit refills it). */
    HANGAR_CONTEXT_KEEP_HTTP_CACHE: boolFromEnv.default(false),
    /** A saved profile's caps: past either no save is made (the context keeps its last one). */
    HANGAR_CONTEXT_MAX_BYTES: intFromEnv(1024, 2 ** 40).default(DEFAULT_PROFILE_RULES.maxBytes),
    HANGAR_CONTEXT_MAX_FILES: intFromEnv(1, 10_000_000).default(DEFAULT_PROFILE_RULES.maxFiles),
    /** The operator's upstreams for `proxies: true` / `type: "browserbase"` (the gateway validates against the same: set it alike). */
    ...proxyPoolEnv,
    /** The egress policy (packages/domain network/egress-policy.ts): comma-separated entries. */
    HANGAR_EGRESS_ALLOW: z.string().optional(),
    HANGAR_EGRESS_DENY: z.string().optional(),
    /** host:port of Hangar's own services (gateway, Postgres, ops ports): denied to browsers whatever else is allowed. */
    HANGAR_EGRESS_SERVICES: z.string().optional(),
    PATH: z.string().default(''),
  })
  .transform((env, ctx) => {
    const chromePath = findChromium(env.CHROME_PATH, env.PATH);
    if (!chromePath) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHROME_PATH'],
        message: env.CHROME_PATH ? `${env.CHROME_PATH} is not an executable` : 'no Chromium found; install chromium or set CHROME_PATH',
      });
      return z.NEVER;
    }
    const chromedriverPath = findChromedriver(env.CHROMEDRIVER_PATH, env.PATH);
    if (env.CHROMEDRIVER_PATH && !chromedriverPath) {
      ctx.addIssue({ code: 'custom', path: ['CHROMEDRIVER_PATH'], message: `${env.CHROMEDRIVER_PATH} is not an executable` });
      return z.NEVER;
    }
    let egressPolicy: EgressPolicy;
    try {
      egressPolicy = new EgressPolicy({ allow: env.HANGAR_EGRESS_ALLOW, deny: env.HANGAR_EGRESS_DENY, services: env.HANGAR_EGRESS_SERVICES });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.addIssue({ code: 'custom', path: [message.split(':')[0]!], message: message.slice(message.indexOf(':') + 1).trim() });
      return z.NEVER;
    }
    const nodeId = env.HANGAR_NODE_ID ?? defaultNodeId();
    // Absolute, because the orphan sweep matches `--user-data-dir=<profilesRoot>/` in /proc cmdlines.
    // As root, browsers run as users of their own, who must reach their folders: not under a
    // 0700 home, so the default is under /var/lib.
    const defaultRoot = process.getuid?.() === 0 ? '/var/lib/hangar' : '.hangar';
    const dataDir = path.resolve(env.HANGAR_NODE_DATA_DIR ?? path.join(defaultRoot, 'nodes', nodeId));
    const resources = hostResources();
    const maxSessions = env.HANGAR_MAX_SESSIONS ?? defaultMaxSessions(resources);
    return {
      natsUrl: env.NATS_URL,
      logLevel: env.LOG_LEVEL,
      internalSecret: env.HANGAR_INTERNAL_SECRET,
      /** `/healthz`, `/readyz`, `/metrics` (node/node-ops.service.ts); undefined: no ops server. */
      opsPort: env.HANGAR_OPS_PORT,
      opsHost: env.HANGAR_OPS_HOST,
      streamReplicas: env.HANGAR_STREAM_REPLICAS,
      nodeId,
      dataDir,
      profilesRoot: path.join(dataDir, 'profiles'),
      host: env.HANGAR_NODE_HOST,
      advertiseHost: env.HANGAR_NODE_ADVERTISE_HOST ?? (WILDCARD_HOSTS.has(env.HANGAR_NODE_HOST) ? os.hostname() : env.HANGAR_NODE_HOST),
      port: env.HANGAR_NODE_PORT,
      region: env.HANGAR_REGION,
      maxSessions,
      warmPoolSize: env.HANGAR_WARM_POOL ?? defaultWarmPoolSize(resources, maxSessions),
      chrtPath: findChrt(env.PATH),
      chromePath,
      chromedriverPath,
      heartbeatMs: env.HANGAR_HEARTBEAT_MS,
      launchTimeoutMs: env.HANGAR_LAUNCH_TIMEOUT_MS,
      headless: env.HANGAR_HEADLESS,
      autogroupNice: env.HANGAR_CHROMIUM_AUTOGROUP_NICE,
      chromiumSandbox: env.HANGAR_CHROMIUM_SANDBOX,
      mountNamespace: env.HANGAR_BROWSER_MOUNT_NAMESPACE,
      browserUserLeaseDir: env.HANGAR_BROWSER_USER_LEASE_DIR,
      artifactStore: pickArtifactStoreEnv(env),
      logMaxBytes: env.HANGAR_LOG_MAX_BYTES,
      recordingMaxBytes: env.HANGAR_RECORDING_MAX_BYTES,
      downloadsMaxBytes: env.HANGAR_DOWNLOADS_MAX_BYTES,
      uploadMaxBytes: env.HANGAR_UPLOAD_MAX_BYTES,
      extensionLimits: { maxUnpackedBytes: env.HANGAR_EXTENSION_MAX_UNPACKED_BYTES, maxEntries: env.HANGAR_EXTENSION_MAX_ENTRIES },
      contextKey: env.HANGAR_CONTEXT_KEY,
      proxyPool: env.HANGAR_PROXY_POOL,
      egressPolicy,
      profileRules: { keepHttpCache: env.HANGAR_CONTEXT_KEEP_HTTP_CACHE, maxBytes: env.HANGAR_CONTEXT_MAX_BYTES, maxFiles: env.HANGAR_CONTEXT_MAX_FILES },
    };
  });

export type NodeConfig = z.infer<typeof schema>;

/** Parsed once in main.ts; everything else receives the typed config. */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env): NodeConfig => parseEnv(schema, source);
