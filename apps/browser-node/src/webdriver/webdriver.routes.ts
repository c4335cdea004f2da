import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { PipedConnection, PipeEnd } from '@hangar/upgrade-proxy';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import type { NodeConfig } from '../env.js';
import type { LiveSession } from '../sessions/live-session.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { NODE_CONFIG } from '../tokens.js';
import { Chromedriver } from './chromedriver.process.js';
import { attachedCapabilities, commandRefusal, webDriverErrorBody, type WebDriverError } from './webdriver-request.js';

/** Element screenshots and script arguments are JSON; nothing a WebDriver client sends is larger. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const QUIT = /^\/session\/([^/]+)$/;
const COMMAND_TIMEOUT_MS = 300_000;
/** Tells the gateway the answer is this route's (or chromedriver's), not the node port's own 404 for a session it no longer runs. */
export const WEBDRIVER_ANSWER_HEADER = 'x-hangar-webdriver';
const ANSWERED = { [WEBDRIVER_ANSWER_HEADER]: '1', 'cache-control': 'no-cache' };

/**
 * `/sessions/<id>/webdriver/<W3C path>` on the node's port, for the gateway only (CdpProxy has
 * checked its internal token for purpose 'webdriver' and this very session): forwarded to that
 * session's own chromedriver, started on the first request and attached to the session's running
 * browser (`goog:chromeOptions.debuggerAddress`, chosen here, never by the client). Each WebDriver
 * session counts as a client of the browser session (ClientConnected … ClientDisconnected at
 * quit), so a session without keepAlive ends when its last client, CDP or WebDriver, is gone. It is killed
 * with its whole process group when the session ends (hooks `ending` and `ended`) or the node
 * stops. What fences chromedriver's loopback port: chromedriver.process.ts.
 */
@Injectable()
export class WebDriverRoutes implements OnModuleInit, OnModuleDestroy {
  private readonly drivers = new Map<string, Promise<Chromedriver>>();
  /** Per session, its WebDriver sessions as clients (CdpProxy.track): closed by quit, or by the session's teardown. */
  private readonly clients = new Map<string, Map<string, PipedConnection>>();

  constructor(
    private readonly proxy: CdpProxy,
    private readonly registry: SessionRegistry,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.proxy.addRoute({ purpose: 'webdriver', path: /^\/webdriver(\/.*)?$/, http: (s, req, res, m) => this.command(s, req, res, m[1] ?? '') });
    const stop = (s: LiveSession) => this.stop(s.id);
    this.registry.addHook({ name: 'webdriver', ending: stop, ended: stop });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.drivers.keys()].map((id) => this.stop(id)));
  }

  /** The session's chromedriver, if one runs (tests look at its process). */
  driverOf(sessionId: string): Promise<Chromedriver> | undefined {
    return this.drivers.get(sessionId);
  }

  private clientFor(sessionId: string, webdriverId: string): PipedConnection {
    let end!: (why: PipeEnd) => void;
    const closed = new Promise<PipeEnd>((resolve) => (end = resolve));
    const own = this.clients.get(sessionId) ?? new Map<string, PipedConnection>();
    this.clients.set(sessionId, own);
    const client: PipedConnection = {
      closed,
      close: () => {
        own.delete(webdriverId);
        end('closed');
      },
    };
    own.set(webdriverId, client);
    return client;
  }

  private async stop(sessionId: string): Promise<void> {
    this.clients.delete(sessionId);
    const driver = this.drivers.get(sessionId);
    if (!driver) return;
    this.drivers.delete(sessionId);
    const started = await driver.catch(() => undefined);
    await started?.kill();
    if (started) this.logger.debug({ sessionId, pid: started.pid }, 'chromedriver stopped');
  }

  private driverFor(session: LiveSession): Promise<Chromedriver> {
    const known = this.drivers.get(session.id);
    if (known) return known;
    const binary = this.config.chromedriverPath!;
    const driver = new Chromedriver(binary, `${session.browser.folders.root}/chromedriver`);
    const started = driver.start().then(
      () => {
        this.logger.info({ sessionId: session.id, pid: driver.pid }, 'chromedriver started');
        // The session may have ended while it started: its hooks found nothing to stop yet.
        if (session.ending || this.drivers.get(session.id) !== started) void driver.kill();
        return driver;
      },
      async (err: unknown) => {
        await driver.kill();
        if (this.drivers.get(session.id) === started) this.drivers.delete(session.id);
        throw err;
      },
    );
    this.drivers.set(session.id, started);
    return started;
  }

  private async command(session: LiveSession, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (!this.config.chromedriverPath) return answer(res, { status: 503, error: 'session not created', message: 'this node has no chromedriver (apt-get install chromium-driver, or set CHROMEDRIVER_PATH)' });
    let body: unknown;
    if (method === 'POST') {
      const text = await readBody(req);
      if (text === undefined) return answer(res, { status: 413, error: 'invalid argument', message: `the request body is larger than ${MAX_BODY_BYTES} bytes` });
      try {
        body = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return answer(res, { status: 400, error: 'invalid argument', message: 'the request body is not JSON' });
      }
    } else req.resume();
    const refused = commandRefusal(method, path, body);
    if (refused) return answer(res, refused);
    if (path === '/session') body = attachedCapabilities(body, `127.0.0.1:${session.browser.port}`);
    let driver: Chromedriver;
    try {
      driver = await this.driverFor(session);
    } catch (err) {
      this.logger.error({ err, sessionId: session.id }, 'chromedriver did not start');
      return answer(res, { status: 500, error: 'session not created', message: 'chromedriver did not start on the node' });
    }
    if (session.ending || !driver.running) return answer(res, { status: 404, error: 'invalid session id', message: `session ${session.id} has ended` });
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const upstream = http.request({
      host: '127.0.0.1',
      port: driver.port,
      method,
      path: `${driver.urlBase}${path}`,
      timeout: COMMAND_TIMEOUT_MS,
      // Only what chromedriver needs: no Origin, no internal token, a loopback Host it accepts.
      headers: { host: `127.0.0.1:${driver.port}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length } : {}) },
    });
    upstream.on('timeout', () => upstream.destroy(new Error('chromedriver did not answer in time')));
    upstream.on('response', (answerRes) => {
      const head = { ...ANSWERED, 'content-type': answerRes.headers['content-type'] ?? 'application/json; charset=utf-8' };
      const status = answerRes.statusCode ?? 502;
      const quit = method === 'DELETE' ? QUIT.exec(path)?.[1] : undefined;
      if (path !== '/session' || status !== 200) {
        answerRes.pipe(res.writeHead(status, head));
        if (quit && status === 200) this.clients.get(session.id)?.get(quit)?.close();
        return;
      }
      // A new WebDriver session is a client of the browser session, as a CDP socket is, until quit.
      void readBody(answerRes)
        .then(async (text) => {
          const id = (JSON.parse(text ?? '{}') as { value?: { sessionId?: unknown } }).value?.sessionId;
          if (typeof id === 'string') await this.registry.queue.run(session.id, () => this.proxy.track(session, `webdriver-${id}`, this.clientFor(session.id, id)));
          res.writeHead(status, head).end(text);
        })
        .catch((err: unknown) => {
          this.logger.error({ err, sessionId: session.id }, 'could not record the WebDriver session');
          if (!res.headersSent) answer(res, { status: 500, error: 'session not created', message: 'the node could not record the WebDriver session' });
        });
    });
    upstream.on('error', (err) => {
      this.logger.warn({ err, sessionId: session.id, path }, 'chromedriver request failed');
      if (!res.headersSent) answer(res, { status: 500, error: 'unknown error', message: 'chromedriver did not answer' });
      else res.destroy();
    });
    res.once('close', () => upstream.destroy());
    upstream.end(payload);
  }
}

function answer(res: ServerResponse, e: WebDriverError): void {
  res.writeHead(e.status, { ...ANSWERED, 'content-type': 'application/json; charset=utf-8' }).end(webDriverErrorBody(e));
}

/** The whole body as text; undefined past MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, fail) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return resolve(undefined);
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        req.destroy();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
