import { refusal, type CreateSessionCommand, type Region } from '@hangar/contracts';
import { decideAdmission, decideCreateRate, sessionExpiresAt, sessionTimeoutSeconds, type Placement } from '@hangar/domain';
import type { ProjectLimits } from './scheduler.state.js';

/** What the scheduler knows of a project when a create comes in. */
export interface ProjectLoad {
  limits: ProjectLimits;
  /** Creation times (ms) of its recent sessions, oldest first. */
  recentCreates: readonly number[];
  /** Its sessions admitted and not yet ended. */
  active: number;
}

/** The create rate first, then concurrency: a refusal as the gateway answers it (429), or undefined. */
export function admissionRefusal(project: ProjectLoad, now: number) {
  const rate = decideCreateRate(project.limits.createRatePerMinute, project.recentCreates, now);
  if (!rate.allowed) {
    return refusal({
      code: 'RATE_LIMITED',
      message: `project create rate of ${rate.limit} sessions per minute reached; retry after ${rate.retryAfterSeconds} s`,
      retryAfterSeconds: rate.retryAfterSeconds,
      limit: rate.limit,
      remaining: 0,
      resetSeconds: rate.resetSeconds,
    });
  }
  const admission = decideAdmission(project.limits.concurrency, project.active);
  if (!admission.admitted) {
    return refusal({
      code: 'RATE_LIMITED',
      message: `project concurrency limit of ${admission.limit} sessions reached; release a session or retry after ${admission.retryAfterSeconds} s`,
      retryAfterSeconds: admission.retryAfterSeconds,
      limit: admission.limit,
      remaining: 0,
      resetSeconds: admission.resetSeconds,
    });
  }
  return undefined;
}

export function placementRefusal(reason: Extract<Placement, { placed: false }>['reason'], region: Region) {
  return reason === 'NO_REGION'
    ? refusal({ code: 'NO_REGION', message: `region must be a region served by a browser node; none serves ${region}` })
    : refusal({ code: 'NO_CAPACITY', message: `no browser node in ${region} has a free slot; retry shortly` });
}

/**
 * SessionRequested's data for an admitted create. The one place the project's default timeout
 * applies: the gateway passes on what the client asked. `secondMs`: HANGAR_TIMEOUT_SECOND_MS.
 */
export function sessionRequest(cmd: CreateSessionCommand, limits: ProjectLimits, sessionId: string, now: number, secondMs: number) {
  const timeoutSeconds = sessionTimeoutSeconds(cmd.timeoutSeconds, limits.defaultTimeoutSeconds);
  return {
    sessionId,
    projectId: cmd.projectId,
    keepAlive: cmd.keepAlive,
    timeoutSeconds,
    region: cmd.region,
    expiresAt: sessionExpiresAt(now, timeoutSeconds, secondMs),
    userMetadata: cmd.userMetadata,
    browserSettings: cmd.browserSettings,
    proxies: cmd.proxies,
    ...(cmd.proxySettings ? { proxySettings: cmd.proxySettings } : {}),
  };
}
