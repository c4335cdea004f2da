import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The binding a page's recorder hands its batches to (Runtime.addBinding). */
export const RECORDER_BINDING = '__hangarRecorder';

/** What the node evaluates in a recorded document before a release's kill: its batch goes out now. */
export const RECORDER_FLUSH_EXPRESSION = "typeof document.__hangarFlush === 'function' && document.__hangarFlush()";

/** How long, and for how many events, the page batches before one binding call. */
const PAGE_FLUSH_MS = 500;
const PAGE_FLUSH_EVENTS = 50;

/** rrweb's UMD bundle (2.2.2); its package exports no subpath for it, so it is found beside the main entry. */
function rrwebBundle(): string {
  const main = createRequire(import.meta.url).resolve('rrweb');
  return readFileSync(path.join(path.dirname(main), 'rrweb.umd.min.cjs'), 'utf8');
}

let cached: string | undefined;

/**
 * What Page.addScriptToEvaluateOnNewDocument runs in every frame of a recorded page: rrweb with
 * the page's AMD `define` and CommonJS `exports`/`module` shadowed (a RequireJS page would
 * otherwise take the bundle as a module and record nothing) and its global kept off `window`;
 * a "started" guard on `document`, not `window`, because a popup's Window survives its first
 * navigation while the document does not (data-plane-notes §2). Cross-origin frames run it too:
 * with recordCrossOriginIframes they post their events to the top frame, which alone emits.
 *
 * The page can read and call the binding (it lives in the main world, where rrweb sees
 * insertRule, programmatic values and adoptedStyleSheets); whatever it sends is parsed
 * defensively and counted against the session's cap on the node.
 */
export function recorderScript(): string {
  cached ??= `(function () {
  var d = document;
  try {
    if (d.__hangarRecording) return;
    Object.defineProperty(d, '__hangarRecording', { value: true });
  } catch (e) { return; }
  var holder = {};
  (function (exports, module, define) {
${rrwebBundle()}
  }).call(holder, undefined, undefined, undefined);
  var rrweb = holder.rrweb;
  if (!rrweb || typeof rrweb.record !== 'function') return;
  var name = ${JSON.stringify(RECORDER_BINDING)};
  var buf = [];
  var timer = null;
  function flush() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    if (buf.length === 0) return;
    var send = window[name];
    if (typeof send !== 'function') { timer = setTimeout(flush, ${PAGE_FLUSH_MS}); return; }
    var batch = buf;
    buf = [];
    try { send(JSON.stringify(batch)); } catch (e) {}
  }
  function start() {
    try {
      rrweb.record({
        emit: function (event) {
          buf.push(event);
          if (buf.length >= ${PAGE_FLUSH_EVENTS}) flush();
          else if (timer === null) timer = setTimeout(flush, ${PAGE_FLUSH_MS});
        },
        recordCrossOriginIframes: true,
      });
    } catch (e) {}
  }
  window.addEventListener('pagehide', flush, true);
  // For the node's last call before the browser is killed; fixed, so the page cannot swap it
  // (calling it only sends the page's own batch early).
  try { Object.defineProperty(d, '__hangarFlush', { value: function () { flush(); return true; } }); } catch (e) {}
  // rrweb waits for DOMContentLoaded itself when the document is still loading.
  start();
})();`;
  return cached;
}
