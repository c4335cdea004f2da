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

/**
 * rrweb 2.1.x lists `querySelector` and `querySelectorAll` among Element's *accessors*, so its
 * "are the page's prototypes untouched?" check always fails on Element and every document gets a
 * throwaway iframe to borrow clean prototypes from (rrweb-io/rrweb#1802, open upstream). On this
 * machine that iframe was most of the recorder's cost per page: it is a document of its own, in
 * which the new-document script runs again. The fix is upstream's: test them as the methods
 * they are. A bundle where the check is not found as expected (a new version) is refused at
 * boot, not silently slower.
 */
const TAINT_CHECK = /Element:\["shadowRoot","querySelector","querySelectorAll"\],MutationObserver:\[\]\},([\w$]+)=\{Node:\["contains","getRootNode"\],ShadowRoot:\["getSelection"\],Element:\[\]/g;
const UNFIXED = 'Element:["shadowRoot","querySelector","querySelectorAll"]';

export function fixTaintCheck(bundle: string): string {
  let copies = 0;
  const fixed = bundle.replace(TAINT_CHECK, (_, methods: string) => {
    copies++;
    return `Element:["shadowRoot"],MutationObserver:[]},${methods}={Node:["contains","getRootNode"],ShadowRoot:["getSelection"],Element:["querySelector","querySelectorAll"]`;
  });
  if (copies === 0 || fixed.includes(UNFIXED)) throw new Error("the rrweb record bundle's prototype check is not the one recorder-script.ts fixes: check it against this version");
  return fixed;
}

/**
 * @rrweb/record's UMD bundle: the recorder alone (77 KB, against 282 KB for rrweb's, which
 * carries the replayer too), parsed in every recorded document. Its package exports no subpath
 * for it, so it is found beside the main entry; its source-map comment is dropped (it would name
 * a file the page cannot fetch).
 */
function recordBundle(): string {
  const main = createRequire(import.meta.url).resolve('@rrweb/record');
  const source = readFileSync(path.join(path.dirname(main), 'record.umd.min.cjs'), 'utf8');
  return fixTaintCheck(source.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n'));
}

let cached: string | undefined;

/**
 * What Page.addScriptToEvaluateOnNewDocument runs in every frame of a recorded page: rrweb with
 * the page's AMD `define` and CommonJS `exports`/`module` shadowed (a RequireJS page would
 * otherwise take the bundle as a module and record nothing) and its global kept off `window`;
 * a "started" guard on `document`, not `window`, because a popup's Window survives its first
 * navigation while the document does not (data-plane-notes §2).
 *
 * Frames: a same-origin child frame is left alone before the bundle is even parsed, because its
 * parent's recorder serializes and observes it (rrweb itself records nothing there with
 * recordCrossOriginIframes). A cross-origin frame runs the recorder and posts its events to its
 * parent, whose recorder alone emits.
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
  if (window.parent !== window) {
    try { if (window.parent.document) return; } catch (e) { /* cross-origin: record, for the parent */ }
  }
  var holder = {};
  (function (exports, module, define) {
${recordBundle()}
  }).call(holder, undefined, undefined, undefined);
  var rrweb = holder.rrwebRecord;
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
  // rrweb waits for the document's load itself when it is still loading.
  start();
})();`;
  return cached;
}
