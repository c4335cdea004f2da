import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger } from '@hangar/runtime';
import { CdpProxy } from '../cdp/cdp-proxy.server.js';
import type { NodeConfig } from '../env.js';
import type { LiveSession } from '../sessions/live-session.js';
import { NODE_CONFIG } from '../tokens.js';
import { zipDownloads } from './downloads.zip.js';
import { isSafeUploadName, UploadTooLarge, writeUpload } from './upload-file.js';

/**
 * A running session's files on the node's port, for the gateway only (CdpProxy has checked its
 * internal token for purpose 'downloads' or 'uploads' and this very session before these run):
 *
 * - `GET /sessions/<id>/downloads`: the session's downloads folder as a zip (downloads.zip.ts).
 * - `PUT /sessions/<id>/uploads/<name>`: the body becomes `<uploads>/<name>` (upload-file.ts);
 *   answers `{path}`, the absolute path `DOM.setFileInputFiles` takes.
 *
 * Every folder comes from the session the proxy found, never from the request: the name is one
 * checked segment, so a session reaches only its own folders.
 */
@Injectable()
export class FilesRoutes implements OnModuleInit {
  constructor(
    private readonly proxy: CdpProxy,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.proxy.addRoute({ purpose: 'downloads', path: /^\/downloads$/, http: (s, req, res) => this.downloads(s, req, res) });
    this.proxy.addRoute({ purpose: 'uploads', path: /^\/uploads\/([^/]+)$/, http: (s, req, res, m) => this.upload(s, req, res, m[1]!) });
  }

  private downloads(session: LiveSession, req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'GET') return refuse(res, 405, 'GET only');
    const zip = zipDownloads(session.browser.folders.downloads, { maxBytes: this.config.downloadsMaxBytes, uid: session.browser.user?.uid });
    res.writeHead(200, { 'content-type': 'application/zip' });
    zip.on('error', (err) => {
      this.logger.error({ err, sessionId: session.id }, 'could not zip the downloads');
      res.destroy(err);
    });
    zip.pipe(res);
    res.once('close', () => zip.destroy());
  }

  private async upload(session: LiveSession, req: IncomingMessage, res: ServerResponse, encoded: string) {
    if (req.method !== 'PUT') return refuse(res, 405, 'PUT only');
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      return refuse(res, 400, 'the file name is not valid percent-encoding');
    }
    if (!isSafeUploadName(name)) return refuse(res, 400, 'the file name must be one path segment of at most 255 bytes, without control characters');
    const max = this.config.uploadMaxBytes;
    if (Number(req.headers['content-length'] ?? 0) > max) return refuse(res, 413, `the file is larger than ${max} bytes (HANGAR_UPLOAD_MAX_BYTES)`);
    try {
      const file = await writeUpload(session.browser.folders.uploads, name, req, max, session.browser.user);
      this.logger.info({ sessionId: session.id, file }, 'upload written');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: file }));
    } catch (err) {
      if (err instanceof UploadTooLarge) return refuse(res, 413, err.message);
      if (req.destroyed || req.readableAborted) return; // The gateway gave up: the partial file is gone already.
      throw err;
    }
  }
}

/** Answers and closes: a refused body is not read further. */
function refuse(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ statusCode: status, message }));
}
