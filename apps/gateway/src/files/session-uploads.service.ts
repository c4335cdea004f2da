import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { isEnded } from '@hangar/domain';
import type { GatewayEnv } from '../env.js';
import { ApiError, notFound } from '../errors/api-error.js';
import { nodeRouteRequest, nodeSessionTarget, type NodeSessionTarget } from '../nodes/node-route.client.js';
import { SessionReader } from '../sessions/session.reader.js';
import { GATEWAY_ENV } from '../tokens.js';
import { receiveFileField } from './file-field.js';

export interface UploadAnswer {
  /** The SDK's UploadCreateResponse: the message names the file's absolute path on the browser's host. */
  readonly message: string;
}

/**
 * `POST /v1/sessions/:id/uploads`: the multipart field `file`, streamed through busboy straight
 * into a PUT to the session's node (files/ there), which writes it into the session's uploads
 * folder; nothing is buffered whole. The cap (HANGAR_UPLOAD_MAX_BYTES) is checked here on the
 * declared length and on the bytes as they pass, and again on the node; a file cut off by it is
 * aborted on the node, which removes the partial file.
 *
 * Fencing: the session is read in the caller's project (another project's is 404); the node is
 * the one the session's own record names, with a token for 'uploads' and this session alone; the
 * file name is sanitised to one segment here (upload-name.ts) and checked again on the node.
 */
@Injectable()
export class SessionUploads {
  constructor(
    private readonly sessions: SessionReader,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  async upload(projectId: string, sessionId: string, req: IncomingMessage): Promise<UploadAnswer> {
    const target = await this.runningTarget(projectId, sessionId);
    const max = this.env.HANGAR_UPLOAD_MAX_BYTES;
    const path = await receiveFileField(req, {
      maxBytes: max,
      tooLarge: () => tooLarge(max),
      what: 'the file',
      sink: (file, name) => {
        const { req: put, answer } = nodeRouteRequest(this.env.HANGAR_INTERNAL_SECRET, target, sessionId, {
          method: 'PUT',
          rest: `/uploads/${encodeURIComponent(name)}`,
          purpose: 'uploads',
          headers: { 'content-type': 'application/octet-stream' },
          timeoutMs: 30_000,
        });
        pipeline(file, put).catch(() => put.destroy());
        // Past the cap the node sees the PUT break off and removes what it wrote.
        return { done: answer.then(readNodeAnswer), abort: () => put.destroy() };
      },
    });
    return { message: `${path} uploaded; use this path with DOM.setFileInputFiles or elementHandle.uploadFile()` };
  }

  private async runningTarget(projectId: string, sessionId: string): Promise<NodeSessionTarget> {
    const session = await this.sessions.find(projectId, sessionId);
    if (!session) throw notFound(`session ${sessionId}`);
    if (isEnded(session)) throw new ApiError('SESSION_ENDED', `session ${sessionId} has ended (status ${session.status}); files can only be uploaded to a running session`);
    const target = session.status === 'RUNNING' ? nodeSessionTarget(session) : undefined;
    if (!target) throw new ApiError('SESSION_NOT_READY', `session ${sessionId} is not running yet (status ${session.status}); retry in a moment`, { 'retry-after': '1' });
    return target;
  }
}

function tooLarge(max: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `file is larger than the ${max} bytes a session upload may be (HANGAR_UPLOAD_MAX_BYTES)`);
}

/** The node's `{path}`, or its refusal as ours (a 413 past its own cap, a 404 once the session ended there). */
async function readNodeAnswer(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  let body: { path?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
  } catch {
    // Not JSON: handled by status below.
  }
  if (res.statusCode === 200 && typeof body.path === 'string') return body.path;
  if (res.statusCode === 413) throw new ApiError('PAYLOAD_TOO_LARGE', String(body.message ?? 'file is too large'));
  if (res.statusCode === 404) throw new ApiError('SESSION_ENDED', 'the session ended during the upload; files can only be uploaded to a running session');
  if (res.statusCode === 400) throw new ApiError('VALIDATION', `file: ${String(body.message ?? 'refused by the browser node')}`);
  throw new ApiError('UNAVAILABLE', 'the browser node could not store the file; retry shortly', { 'retry-after': '1' });
}
