import { randomBytes } from 'node:crypto';

/**
 * The live view's page (`debuggerFullscreenUrl`): a canvas showing the screencast of one page,
 * and, unless view-only, the person's mouse, wheel, keyboard and paste sent back as small JSON
 * messages (the node validates each: browser-node live-view/viewer-input.ts). No CDN, no
 * framework: the network may be closed.
 *
 * It is made to be framed (Browserbase embedders put it in an iframe): no X-Frame-Options and no
 * frame-ancestors. Its own CSP allows only its inline script (by nonce), data: images and sockets
 * to this origin. When the socket closes (the session ended, the page closed) it tells its parent
 * with postMessage('browserbase-disconnected'), as Browserbase embedders listen for.
 */
export function viewerPage(readOnly: boolean): { html: string; csp: string } {
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return { csp, html: HTML.replace('%NONCE%', nonce).replace('%READONLY%', readOnly ? 'true' : 'false') };
}

const HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>Live view</title>
<meta name="referrer" content="no-referrer">
<style>
html,body{margin:0;height:100%;background:#111;overflow:hidden}
canvas{display:block;width:100%;height:100%;object-fit:contain;outline:none}
#status{position:fixed;left:8px;bottom:8px;font:12px sans-serif;color:#ccc;background:rgba(0,0,0,.6);padding:2px 6px;border-radius:3px}
</style></head>
<body data-frames="0" data-state="connecting">
<canvas id="screen" tabindex="0"></canvas><div id="status">connecting…</div>
<script nonce="%NONCE%">
(() => {
  const READONLY = %READONLY%;
  const canvas = document.getElementById('screen');
  const ctx = canvas.getContext('2d');
  const status = document.getElementById('status');
  const url = new URL(location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = url.pathname.replace(/\\/+$/, '') + '/ws';
  url.search = '';
  const ws = new WebSocket(url.href);
  let frames = 0;
  const setState = (s, text) => { document.body.dataset.state = s; status.textContent = text; status.style.display = s === 'live' ? 'none' : ''; };
  ws.onopen = () => setState('open', READONLY ? 'view only: waiting for the page…' : 'waiting for the page…');
  ws.onmessage = (ev) => {
    let m; try { m = JSON.parse(ev.data); } catch { return; }
    if (m.type !== 'frame' || typeof m.data !== 'string') return;
    const img = new Image();
    img.onload = () => {
      if (canvas.width !== img.naturalWidth || canvas.height !== img.naturalHeight) { canvas.width = img.naturalWidth; canvas.height = img.naturalHeight; }
      ctx.drawImage(img, 0, 0);
      document.body.dataset.frames = String(++frames);
      if (frames === 1) setState('live', '');
    };
    img.src = 'data:image/jpeg;base64,' + m.data;
  };
  ws.onclose = () => {
    setState('closed', 'the session has ended');
    try { window.parent.postMessage('browserbase-disconnected', '*'); } catch {}
  };
  if (READONLY) return;
  const send = (m) => { if (ws.readyState === 1) ws.send(JSON.stringify(m)); };
  const mods = (e) => (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);
  const BUTTON = ['left', 'middle', 'right', 'back', 'forward'];
  // The picture is letterboxed (object-fit: contain): map the pointer into image pixels.
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    const scale = Math.min(r.width / canvas.width, r.height / canvas.height);
    const left = r.left + (r.width - canvas.width * scale) / 2, top = r.top + (r.height - canvas.height * scale) / 2;
    const x = Math.min(canvas.width, Math.max(0, (e.clientX - left) / scale));
    const y = Math.min(canvas.height, Math.max(0, (e.clientY - top) / scale));
    return { x, y, imageWidth: canvas.width, imageHeight: canvas.height };
  };
  const mouse = (action, e, extra) => {
    if (!frames) return;
    send(Object.assign({ type: 'mouse', action, button: BUTTON[e.button] || 'none', buttons: e.buttons, modifiers: mods(e) }, point(e), extra || {}));
  };
  let pendingMove = null;
  canvas.addEventListener('mousemove', (e) => {
    if (pendingMove) { pendingMove = e; return; }
    pendingMove = e;
    // A drag moves with its button held: the page sees a selection or a drag, not a hover.
    const held = (b) => (b & 1 ? 'left' : b & 2 ? 'right' : b & 4 ? 'middle' : 'none');
    requestAnimationFrame(() => { const m = pendingMove; pendingMove = null; mouse('move', m, { button: held(m.buttons) }); });
  });
  canvas.addEventListener('mousedown', (e) => { canvas.focus(); mouse('down', e, { clickCount: Math.min(3, e.detail || 1) }); e.preventDefault(); });
  canvas.addEventListener('mouseup', (e) => mouse('up', e, { clickCount: Math.min(3, e.detail || 1) }));
  canvas.addEventListener('wheel', (e) => { mouse('wheel', e, { deltaX: e.deltaX, deltaY: e.deltaY }); e.preventDefault(); }, { passive: false });
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  const TEXT_KEYS = { Enter: '\\r', Tab: '\\t' };
  const key = (action, e) => {
    const m = { type: 'key', action, key: e.key.slice(0, 32), code: e.code.slice(0, 32), keyCode: e.keyCode & 255, modifiers: mods(e) };
    if (action === 'down' && !e.ctrlKey && !e.metaKey) {
      const text = e.key.length === 1 ? e.key : TEXT_KEYS[e.key];
      if (text) m.text = text;
    }
    send(m);
  };
  canvas.addEventListener('keydown', (e) => { if ((e.ctrlKey || e.metaKey) && e.key === 'v') return; key('down', e); e.preventDefault(); });
  canvas.addEventListener('keyup', (e) => { key('up', e); e.preventDefault(); });
  document.addEventListener('paste', (e) => { const t = e.clipboardData && e.clipboardData.getData('text'); if (t) send({ type: 'text', text: t.slice(0, 10000) }); });
})();
</script></body></html>
`;
