import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NestPinoLogger, type Logger } from '@hangar/runtime';
import { AppModule } from './app.module.js';
import { ConnectProxy } from './connect/connect.proxy.js';
import { PublicUrls } from './connect/public-urls.js';
import type { GatewayEnv } from './env.js';
import { ApiExceptionFilter } from './errors/api-exception.filter.js';
import { toHttpError } from './errors/http-error.mapping.js';
import { LiveViewUpgrades } from './live-view/live-view.upgrades.js';
import { useAccessLog } from './http/access-log.hook.js';
import { useJsonBodies } from './http/json-body.parser.js';
import { useUnreadBodyDrain } from './http/unread-body.hook.js';
import { useMultipartStreams } from './files/multipart.parser.js';
import { MetricsService } from './ops/metrics.service.js';

export interface RunningGateway {
  app: NestFastifyApplication;
  /** http://host:port the server actually listens on. */
  url: string;
  close(): Promise<void>;
}

/** Builds and starts the gateway: what main.ts runs, and what the integration tests boot in-process. */
export async function startGateway(env: GatewayEnv, logger: Logger): Promise<RunningGateway> {
  const adapter = new FastifyAdapter({
    bodyLimit: env.HANGAR_BODY_LIMIT_BYTES,
    logger: false,
    genReqId: () => randomUUID(),
    // Session ids run to 128 characters (session-id.ts); a longer parameter is a 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // A URL Fastify cannot even route (bad percent-encoding) never reaches Nest's error handler.
    frameworkErrors: (error: Error, _req: FastifyRequest, reply: FastifyReply) => {
      const answer = toHttpError(error);
      void reply.status(answer.status).headers(answer.headers).send(answer.body);
    },
  });
  const fastify = adapter.getInstance();
  useJsonBodies(fastify, env.HANGAR_BODY_LIMIT_BYTES);
  useMultipartStreams(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env, logger), adapter, {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  try {
    app.useGlobalFilters(new ApiExceptionFilter(logger));

    // Added before Nest registers its routes (at listen), so every route and the 404 handler get it.
    const metrics = app.get(MetricsService);
    fastify.addHook('onResponse', (req, reply, done) => {
      metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    useAccessLog(fastify, logger);
    useUnreadBodyDrain(fastify);

    app.get(ConnectProxy).addUpgradeRoute(app.get(LiveViewUpgrades));
    app.get(ConnectProxy).attach(app.getHttpServer());
    await app.listen({ port: env.HANGAR_PORT, host: env.HANGAR_HOST });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address() as AddressInfo;
  app.get(PublicUrls).listeningOn(address.port);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { app, url: `http://${host}:${address.port}`, close: () => app.close() };
}
