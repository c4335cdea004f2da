import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeUpgrade, type PipedConnection } from '@hangar/upgrade-proxy';
import { guardedPipeOptions } from '../cdp/guard/guarded-pipe.js';
import type { GuardFolders } from '../cdp/guard/guarded-methods.js';
import type { TestChromium } from './test-chromium.js';

export interface GuardedSplice {
  /** `ws://127.0.0.1:<port>/`: every upgrade here is spliced to the browser, guarded. */
  url: string;
  refused: { method: string | undefined; why: string }[];
  stop(): Promise<void>;
}

/**
 * The node's splice to one Chromium, as CdpProxy builds it (guardedPipeOptions), without the node
 * around it: for tests of the guard against a real browser.
 */
export async function startGuardedSplice(chromium: TestChromium, folders: GuardFolders): Promise<GuardedSplice> {
  const refused: GuardedSplice['refused'] = [];
  const pipes: PipedConnection[] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const options = guardedPipeOptions(folders, (method, why) => refused.push({ method, why }));
    pipes.push(pipeUpgrade(req, socket, head, { host: '127.0.0.1', port: chromium.port, path: chromium.browserPath }, options));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    refused,
    async stop() {
      for (const p of pipes) p.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A site on 127.0.0.1: a page with a file input, and a file served as a download. */
export async function startUploadDownloadSite(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/download') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-disposition': 'attachment; filename="report.txt"' }).end('downloaded through the guard');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<title>form</title><input type="file" id="f" multiple><a id="d" href="/download">get it</a>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
