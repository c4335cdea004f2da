import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { isEnded } from '@hangar/domain';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { verifySigningKey } from '../connect/signing-key.js';
import type { GatewayEnv } from '../env.js';
import type { SessionView } from '../sessions/session.presenter.js';
import { SessionReader } from '../sessions/session.reader.js';
import { GATEWAY_ENV } from '../tokens.js';
import { WebDriverRefusal } from './webdriver-answer.js';

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
};

/**
 * Who may drive a session's browser over WebDriver, the Browserbase way: `x-bb-signing-key` (the
 * session's signingKey from the create answer: it names one session and nothing else), or
 * `session-id` + `x-bb-api-key` (the project's key, and the session must be that project's:
 * another project's is 404, as everywhere). No key, a forged key or an unknown API key: 401,
 * before anything about the session is looked up. Only a RUNNING session is driven.
 */
@Injectable()
export class WebDriverAccess {
  constructor(
    private readonly reader: SessionReader,
    private readonly apiKeys: ApiKeysService,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  async session(headers: IncomingHttpHeaders): Promise<SessionView> {
    const signingKey = header(headers, 'x-bb-signing-key');
    const apiKey = header(headers, 'x-bb-api-key');
    const sessionId = header(headers, 'session-id');
    let session: SessionView | undefined;
    let named: string;
    if (signingKey) {
      const verified = verifySigningKey(this.env.HANGAR_SIGNING_SECRET, signingKey);
      if (!verified) throw new WebDriverRefusal(401, 'unknown error', 'the x-bb-signing-key header is not a valid signing key');
      named = verified;
      session = await this.reader.findAnyProject(verified);
    } else if (apiKey && sessionId) {
      const projectId = await this.apiKeys.projectIdFor(apiKey);
      if (!projectId) throw new WebDriverRefusal(401, 'unknown error', 'the API key in x-bb-api-key is not valid');
      named = sessionId;
      session = await this.reader.find(projectId, sessionId);
    } else {
      throw new WebDriverRefusal(401, 'unknown error', 'send x-bb-signing-key (the session\'s signingKey), or session-id and x-bb-api-key');
    }
    if (!session) throw new WebDriverRefusal(404, 'invalid session id', `session ${named} was not found`);
    if (isEnded(session)) throw new WebDriverRefusal(404, 'invalid session id', `session ${named} has ended (status ${session.status})`);
    if (session.status !== 'RUNNING' || !session.endpoint) throw new WebDriverRefusal(503, 'session not created', `session ${named} is not running yet; retry in a moment`);
    return session;
  }
}
