import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The pages the telemetry tests visit, on a loopback server: a strict-CSP page with its own
 * script, a shadow root, a cross-origin iframe (127.0.0.1 embeds localhost) and a same-origin one, a popup, a
 * response that sets a cookie, and a page too big for one telemetry message. Each page reports
 * what broke into `window.problems`.
 */
export interface TestSite {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Cookie and Authorization headers the server saw (proves they were really sent). */
  seenHeaders: Array<{ cookie?: string; authorization?: string }>;
  close(): Promise<void>;
}

export const SET_COOKIE_SECRET = 'setcookie-secret-value';

const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>${body}</body></html>`;

/** A page whose rrweb full snapshot is about 2 MB: 3,000 CSS rules and 12,000 paragraphs, then a last line. */
export const BIG_PAGE_LAST_LINE = 'the last line of the big page';
function bigPage(): string {
  const rules = Array.from({ length: 3_000 }, (_, i) => `.rule-${i} { color: #${(i * 2654435).toString(16).slice(-6).padStart(6, '0')}; margin: ${i % 17}px; }`).join('\n');
  const paragraphs = Array.from({ length: 12_000 }, (_, i) => `<p class="rule-${i % 3_000}">paragraph ${i} of the big page, with some text</p>`).join('');
  return `<style>${rules}</style>${paragraphs}<p id="last">${BIG_PAGE_LAST_LINE}</p>`;
}

export async function startTestSite(): Promise<TestSite> {
  const seenHeaders: TestSite['seenHeaders'] = [];
  let port = 0;
  const server = http.createServer((req, res) => {
    seenHeaders.push({ ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const url = new URL(req.url ?? '/', 'http://x');
    const html = (body: string, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "script-src 'self'", ...headers });
      res.end(page(body));
    };
    const js = (source: string) => {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(source);
    };
    switch (url.pathname) {
      case '/csp':
        return html(`<h1>strict page</h1><div id="host"></div><iframe src="http://localhost:${port}/frame"></iframe><iframe src="/same-frame"></iframe><script src="/app.js"></script>`, {
          'set-cookie': `sid=${SET_COOKIE_SECRET}; Path=/`,
        });
      case '/app.js':
        return js(`
          window.problems = [];
          document.addEventListener('securitypolicyviolation', (e) => window.problems.push(e.violatedDirective + ' ' + e.blockedURI));
          const root = document.getElementById('host').attachShadow({ mode: 'open' });
          root.innerHTML = '<p>shadow content</p>';
          window.appRan = true;`);
      case '/frame':
        return html('<p>inside the frame</p><script src="/frame.js"></script>');
      case '/same-frame':
        return html('<p>inside the same-origin frame</p>');
      case '/frame.js':
        return js('document.body.appendChild(document.createElement("span")).textContent = "frame script ran";');
      case '/popup':
        return html('<p>popup page</p>');
      case '/big':
        return html(bigPage());
      case '/hanging':
        // Its DOM is there at once, its load never comes: the image's answer never ends.
        return html('<p>loaded but never done</p><img src="/never">');
      case '/never':
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.write('');
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    seenHeaders,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
