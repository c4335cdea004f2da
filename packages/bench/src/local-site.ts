import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSite {
  url: string;
  close(): Promise<void>;
}

/** A tiny page on loopback, so `goto` measures the browser and the path to it, not the internet. */
export async function startLocalSite(): Promise<LocalSite> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Hangar bench</title><h1>hello from loopback</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
