import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { ARTIFACT_STORE, type ArtifactStore } from '@hangar/artifacts';
import { isEnded, sessionArtifactKey } from '@hangar/domain';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { nodeRouteRequest, nodeSessionTarget, type NodeSessionTarget } from '../nodes/node-route.client.js';
import type { SessionView } from '../sessions/session.presenter.js';
import { SessionReader } from '../sessions/session.reader.js';
import { GATEWAY_ENV } from '../tokens.js';
import { EMPTY_ZIP } from './empty-zip.js';

/**
 * Where the zip came from (header `x-hangar-downloads`): `node` (a running session, zipped now),
 * `artifact` (stored at its end), `none` (nothing downloaded yet: no browser), `lost-with-node`
 * (ended, and its node never stored the zip — it was killed — so the files are gone).
 */
export type DownloadsSource = 'node' | 'artifact' | 'none' | 'lost-with-node';

export interface DownloadsAnswer {
  readonly source: DownloadsSource;
  readonly body: Readable | Buffer;
}

const POLL_MS = 200;

/**
 * A session's downloads as a zip. Running: zipped by its node from the downloads folder, streamed
 * through. Ended: the zip its node stored at the end (files/downloads.archiver.ts on the node);
 * the node stores it just after the end, so a read right after it waits for the artifact, up to
 * HANGAR_DOWNLOADS_WAIT_MS counted from the end.
 *
 * Fencing: the session is read in the caller's project (another project's is 404), the node is
 * the one the session's own record names, spoken to with a token for 'downloads' and this session
 * only; the artifact key comes from the session's ids (sessionArtifactKey).
 */
@Injectable()
export class SessionDownloads {
  constructor(
    private readonly sessions: SessionReader,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  async zip(projectId: string, sessionId: string): Promise<DownloadsAnswer> {
    const session = await this.sessions.find(projectId, sessionId);
    if (!session) throw notFound(`session ${sessionId}`);
    // Never given a browser: nothing was ever downloaded, and no node will store anything.
    if (!session.nodeId && !session.endpoint) return { source: 'none', body: EMPTY_ZIP };
    if (!isEnded(session)) {
      const target = nodeSessionTarget(session);
      if (!target || session.status !== 'RUNNING') return { source: 'none', body: EMPTY_ZIP };
      const fromNode = await this.fromNode(session, target);
      if (fromNode === 'unreachable') {
        // Not "lost" yet: a node that is restarting or cut off may answer again, and one that is
        // gone ends its sessions (then the stored zip, or lost-with-node, is the answer).
        throw new ApiError('UNAVAILABLE', `the browser node of session ${session.id} cannot be reached; retry shortly`, { 'retry-after': '1' });
      }
      if (fromNode) return fromNode;
    }
    // Ended, or its node no longer runs it (the end is on its way): the stored zip.
    return this.stored(session);
  }

  /** The node's zip; undefined when its node no longer runs the session (its end is on its way). */
  private async fromNode(session: SessionView, target: NodeSessionTarget): Promise<DownloadsAnswer | 'unreachable' | undefined> {
    const { req, answer } = nodeRouteRequest(this.env.HANGAR_INTERNAL_SECRET, target, session.id, { method: 'GET', rest: '/downloads', purpose: 'downloads' });
    req.end();
    const res = await answer.catch(() => undefined);
    if (!res) return 'unreachable';
    if (res.statusCode === 200) return { source: 'node', body: res };
    res.resume();
    return res.statusCode === 404 ? undefined : 'unreachable';
  }

  private async stored(session: SessionView): Promise<DownloadsAnswer> {
    const key = sessionArtifactKey(session.projectId, session.id, 'downloads');
    const endedAt = Date.parse(session.endedAt ?? '') || Date.now();
    const deadline = Math.min(endedAt, Date.now()) + this.env.HANGAR_DOWNLOADS_WAIT_MS;
    for (;;) {
      const stream = await this.artifacts.stream(key);
      if (stream) return { source: 'artifact', body: stream };
      if (Date.now() >= deadline) return { source: 'lost-with-node', body: EMPTY_ZIP };
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }
}
