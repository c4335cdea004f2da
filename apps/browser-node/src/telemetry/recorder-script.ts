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
/** A top document whose load has not come this long after its DOM starts recording without it. */
const BOOT_AFTER_DOM_MS = 2_000;

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
 * When: a top document starts its recorder just after its load event (or BOOT_AFTER_DOM_MS after
 * its DOM, when the load never comes), not at its first script: parsing the bundle and the first
 * snapshot took 15–25 ms of a fresh renderer's main thread, which every page's load waited for
 * (bench row 7). The snapshot is then of the loaded page, and what the user did before it shows
 * in it rather than as events. The node's flush before a release starts a recorder that has not
 * yet run, so a page released at once is still recorded. A cross-origin frame starts at its first
 * script as before, and what it posts before its top's recorder runs is held by the top and
 * handed to rrweb once it runs (the page's own listeners then see those few rrweb messages again).
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
  var top = window.parent === window;
  if (!top) {
    try { if (window.parent.document) return; } catch (e) { /* cross-origin: record, for the parent */ }
  }
  var name = ${JSON.stringify(RECORDER_BINDING)};
  var buf = [];
  var timer = null;
  var booted = false;
  var early = [];
  function flush() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    if (buf.length === 0) return;
    var send = window[name];
    if (typeof send !== 'function') { timer = setTimeout(flush, ${PAGE_FLUSH_MS}); return; }
    var batch = buf;
    buf = [];
    try { send(JSON.stringify(batch)); } catch (e) {}
  }
  function emit(event) {
    buf.push(event);
    if (buf.length >= ${PAGE_FLUSH_EVENTS}) flush();
    else if (timer === null) timer = setTimeout(flush, ${PAGE_FLUSH_MS});
  }
  // What cross-origin frames posted before this document's recorder ran: theirs runs from their
  // first script, and this one's would have missed their snapshots.
  function hold(e) {
    try { if (e.data && e.data.type === 'rrweb') early.push({ data: e.data, origin: e.origin, source: e.source }); } catch (x) {}
  }
  function boot() {
    if (booted) return;
    booted = true;
    if (top) window.removeEventListener('message', hold, true);
    var holder = {};
    (function (exports, module, define) {
${recordBundle()}
    }).call(holder, undefined, undefined, undefined);
    var rrweb = holder.rrwebRecord;
    if (!rrweb || typeof rrweb.record !== 'function') return;
    try { rrweb.record({ emit: emit, recordCrossOriginIframes: true }); } catch (e) {}
    for (var i = 0; i < early.length; i++) {
      try { window.dispatchEvent(new MessageEvent('message', early[i])); } catch (e) {}
    }
    early = [];
  }
  window.addEventListener('pagehide', flush, true);
  // For the node's last call before the browser is killed; fixed, so the page cannot swap it
  // (calling it only starts the recorder now if it has not yet, and sends the page's own batch early).
  try { Object.defineProperty(d, '__hangarFlush', { value: function () { try { boot(); } catch (e) {} flush(); return true; } }); } catch (e) {}
  if (!top) return boot();
  window.addEventListener('message', hold, true);
  function later() { setTimeout(boot, 0); }
  if (d.readyState === 'complete') return later();
  window.addEventListener('load', later, true);
  // A page whose load never comes (a resource that hangs) is recorded anyway, from a while after its DOM.
  d.addEventListener('DOMContentLoaded', function () { setTimeout(boot, ${BOOT_AFTER_DOM_MS}); }, true);
})();`;
  return cached;
}
