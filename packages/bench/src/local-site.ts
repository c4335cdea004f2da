import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSite {
  url: string;
  close(): Promise<void>;
}

/** A tiny page on loopback, so `goto` measures the browser and the path to it, not the internet. */
export async function startLocalSite(): Promise<LocalSite> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    if (url.pathname === '/busy') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(BUSY_PAGE);
    }
    if (url.pathname === '/download') return serveDownload(res, Number(url.searchParams.get('bytes') ?? 0));
    if (url.pathname === '/many') return serveMany(res, Math.min(500, Number(url.searchParams.get('n') ?? 50)), url.searchParams.get('r') ?? '');
    if (url.pathname.startsWith('/asset/')) {
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store', 'content-length': String(GIF.length) });
      return res.end(GIF);
    }
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

/**
 * A page that keeps changing, as a dashboard or a chat does: rows added and removed, text and
 * styles updated every 100 ms, an input typed into. What its recording weighs per minute is the
 * figure the bench reports.
 */
const BUSY_PAGE = `<!doctype html><title>busy</title><style>.row{padding:2px}.hot{color:red}</style>
<input id=q><ul id=list></ul><script>
let n = 0;
setInterval(() => {
  n++;
  const list = document.getElementById('list');
  const li = document.createElement('li');
  li.className = 'row' + (n % 3 ? '' : ' hot');
  li.textContent = 'item ' + n + ' at ' + new Date().toISOString();
  list.prepend(li);
  while (list.children.length > 50) list.lastElementChild.remove();
  document.getElementById('q').value = 'typed ' + n;
  document.title = 'busy ' + n;
}, 100);
</script>`;

/** `bytes` of a file as an attachment, streamed from a reused buffer (no 100 MB in memory). */
function serveDownload(res: http.ServerResponse, bytes: number): void {
  const chunk = Buffer.alloc(1 << 20, 'hangar bench download ');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes), 'content-disposition': 'attachment; filename="bench.bin"' });
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      if (!res.write(part)) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

/** A 1×1 transparent GIF. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A page with `n` subresources (images, never cached: each load fetches them all), as a page of a shop or a feed has. */
function serveMany(res: http.ServerResponse, n: number, round: string): void {
  const images = Array.from({ length: n }, (_, i) => `<img src="/asset/${i}.gif?r=${encodeURIComponent(round)}" width=1 height=1>`).join('');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><title>many</title>${images}`);
}
