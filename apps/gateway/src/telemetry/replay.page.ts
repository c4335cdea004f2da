import { createReadStream, type ReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The replay page's files. rrweb-player comes from node_modules (the network may be closed: no
 * CDN), and only these names are served: the name in the URL never reaches the filesystem
 * otherwise. The page's own script is a file too, so the page's CSP can forbid inline scripts.
 */
const PLAYER_FILES: Record<string, { file: string; type: string }> = {
  'rrweb-player.js': { file: 'rrweb-player.umd.min.cjs', type: 'text/javascript; charset=utf-8' },
  'rrweb-player.css': { file: 'style.min.css', type: 'text/css; charset=utf-8' },
};

// The package's exports list no package.json; its CommonJS entry sits in dist/ with the rest.
const playerDir = path.dirname(createRequire(import.meta.url).resolve('rrweb-player'));

/**
 * Loads the session's events (same token, same path) and plays them. Reads the token from its
 * own URL: the page itself carries no secret, and one copy serves every session.
 */
const REPLAY_SCRIPT = `(function () {
  var status = document.getElementById('status');
  var token = new URLSearchParams(location.search).get('token') || '';
  var eventsUrl = location.pathname.replace(/\\/+$/, '') + '/events?token=' + encodeURIComponent(token);
  fetch(eventsUrl, { credentials: 'omit' })
    .then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body && body.message ? body.message : 'HTTP ' + res.status);
        return body;
      });
    })
    .then(function (events) {
      var playable = events.filter(function (e) { return e && typeof e.type === 'number' && typeof e.timestamp === 'number'; });
      if (playable.length < 2) {
        status.textContent = playable.length ? 'This session recorded too little to play back.' : 'This session has no recording.';
        return;
      }
      status.textContent = '';
      // The UMD bundle's global is the module: its default export is the player.
      var Player = window.rrwebPlayer && (window.rrwebPlayer.default || window.rrwebPlayer);
      window.player = new Player({
        target: document.getElementById('player'),
        props: { events: playable, autoPlay: false, width: Math.min(window.innerWidth - 40, 1280), height: Math.min(window.innerHeight - 160, 720) },
      });
    })
    .catch(function (err) {
      status.textContent = 'Could not load the recording: ' + err.message;
    });
})();
`;

export function replayAsset(name: string): { type: string; body: () => ReadStream | string } | undefined {
  if (name === 'replay.js') return { type: 'text/javascript; charset=utf-8', body: () => REPLAY_SCRIPT };
  const known = Object.hasOwn(PLAYER_FILES, name) ? PLAYER_FILES[name] : undefined;
  return known ? { type: known.type, body: () => createReadStream(path.join(playerDir, known.file)) } : undefined;
}

export const REPLAY_ASSETS_PATH = '/replay-assets';

/** Static: no session id, no token, nothing of the tenant's in it. */
export const REPLAY_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Session replay · Hangar</title>
  <link rel="stylesheet" href="${REPLAY_ASSETS_PATH}/rrweb-player.css">
  <style>body { font-family: system-ui, sans-serif; margin: 20px; background: #f4f4f5; } #status { color: #444; }</style>
</head>
<body>
  <p id="status">Loading the recording…</p>
  <div id="player"></div>
  <script src="${REPLAY_ASSETS_PATH}/rrweb-player.js"></script>
  <script src="${REPLAY_ASSETS_PATH}/replay.js"></script>
</body>
</html>
`;

/**
 * The replayed DOM is the tenant's page, hostile by assumption. rrweb replays it in an iframe
 * without scripts (sandbox, and scripts become noscript); this policy also keeps the page's own
 * scripts to ours, its requests for data to this gateway, and never sends the page's URL (with
 * its token) as a referrer to whatever hosts the recorded page's images name.
 */
export const REPLAY_PAGE_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline' http: https: data: blob:",
    'img-src * data: blob:',
    'font-src * data:',
    'media-src * data: blob:',
    "connect-src 'self'",
    "frame-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};
