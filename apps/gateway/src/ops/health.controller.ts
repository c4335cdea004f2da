import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DATABASE, pingDb, type Database, type Kysely } from '@hangar/db';
import { NATS_CONNECTION, type NatsConnection } from '@hangar/messaging';

/** A probe must answer well inside a kubelet's default 1 s timeout. */
const PROBE_TIMEOUT_MS = 800;

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATABASE) private readonly db: Kysely<Database>,
  ) {}

  /** Liveness: the event loop answers. Dependencies are readiness's business, not a reason to restart. */
  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: only take traffic while both NATS (commands) and Postgres (reads) answer. */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check([
        () =>
          this.indicators
            .check('nats')
            .attempt(async () => ({ rttMs: await this.nc.rtt() }))
            .withTimeout(PROBE_TIMEOUT_MS),
        () =>
          this.indicators
            .check('postgres')
            .attempt(() => pingDb(this.db))
            .withTimeout(PROBE_TIMEOUT_MS),
      ]);
    } catch (err) {
      // Terminus reports a failed check as a 503 carrying the per-dependency detail: keep that body.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return err.getResponse();
    }
  }
}
