import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a page, its worker and its iframes report of the browser they run in. */
export interface Sighting {
  userAgent: string;
  platform: string;
  uaPlatform?: string;
  mobile?: boolean;
  brands?: string[];
  hardwareConcurrency: number;
}

const SIGHTING = `({ userAgent: navigator.userAgent, platform: navigator.platform, uaPlatform: navigator.userAgentData && navigator.userAgentData.platform,
  mobile: navigator.userAgentData && navigator.userAgentData.mobile, brands: navigator.userAgentData && navigator.userAgentData.brands.map((b) => b.brand + '/' + b.version),
  hardwareConcurrency: navigator.hardwareConcurrency })`;

export interface IdentitySite {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Request headers by path, as the site received them. */
  seen: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/**
 * A loopback site for identity and request-fence tests. `/page` has a same-origin iframe, a
 * cross-site one (localhost: another site, so an out-of-process iframe) and a dedicated worker,
 * each posting what it sees to `window.sightings`; `/ads` loads ad-like and plain resources; `/cross` an image and an iframe from 127.0.0.1.
 */
export async function startIdentitySite(): Promise<IdentitySite> {
  const seen: IdentitySite['seen'] = [];
  let port = 0;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, headers: req.headers });
    const html = (body: string) => {
      res.setHeader('content-type', 'text/html');
      // Ask for the high-entropy client hints, as sites that read them do.
      res.setHeader('accept-ch', 'Sec-CH-UA-Platform-Version, Sec-CH-UA-Arch, Sec-CH-UA-Full-Version-List');
      res.end(body);
    };
    if (path.startsWith('/worker.js')) {
      res.setHeader('content-type', 'text/javascript');
      return res.end(`postMessage(${SIGHTING})`);
    }
    if (path.startsWith('/frame')) return html(`<script>parent.postMessage({ frame: ${JSON.stringify(path)}, sighting: ${SIGHTING} }, '*')</script>`);
    if (path.startsWith('/page')) {
      return html(`<script>
        window.sightings = { page: ${SIGHTING}, touch: 'ontouchstart' in window, screen: [screen.width, screen.height] };
        new Worker('/worker.js').onmessage = (m) => { window.sightings.worker = m.data; };
        addEventListener('message', (m) => { if (m.data && m.data.frame) window.sightings[m.data.frame.startsWith('/frame-cross') ? 'crossFrame' : 'frame'] = m.data.sighting; });
      </script><iframe src="/frame"></iframe><iframe src="http://localhost:${port}/frame-cross"></iframe>`);
    }
    if (path.startsWith('/redirect-out')) return res.writeHead(302, { location: `http://127.0.0.1:${port}/plain-redirected` }).end();
    if (path.startsWith('/cross')) return html(`<img src="http://127.0.0.1:${port}/images/cross.gif"><iframe src="http://127.0.0.1:${port}/frame-from-cross"></iframe>`);
    if (path.startsWith('/ads')) {
      return html(`<p>ads</p><img src="/banners/300x250.gif"><script src="/js/flyad.js"></script><img src="/img/160x600.gif"><img src="/images/logo.gif">`);
    }
    if (path.endsWith('.gif')) {
      res.setHeader('content-type', 'image/gif');
      return res.end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
    }
    if (path.endsWith('.js')) {
      res.setHeader('content-type', 'text/javascript');
      return res.end('window.adScriptRan = true;');
    }
    html(`<p>plain ${path}</p>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, port, seen, close: () => new Promise((r) => server.close(() => r())) };
}
