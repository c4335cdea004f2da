import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FiltersEngine, Request, type RequestType } from '@ghostery/adblocker';

/** EasyList as shipped (assets/filters/README.md): src/egress and dist/egress sit at the same depth below the app. */
const LIST = fileURLToPath(new URL('../../assets/filters/easylist.txt', import.meta.url));

/** The engine's request types (its webRequest names) a CDP `Network.ResourceType` maps to. */
export type AdRequestType =
  | 'main_frame'
  | 'sub_frame'
  | 'stylesheet'
  | 'image'
  | 'media'
  | 'font'
  | 'script'
  | 'xmlhttprequest'
  | 'fetch'
  | 'websocket'
  | 'ping'
  | 'other';

/** A Map, not an object: a CDP type named like an Object.prototype member must not find one. */
const TYPES: ReadonlyMap<string, AdRequestType> = new Map([
  ['Stylesheet', 'stylesheet'],
  ['Image', 'image'],
  ['Media', 'media'],
  ['Font', 'font'],
  ['Script', 'script'],
  ['XHR', 'xmlhttprequest'],
  ['Fetch', 'fetch'],
  ['WebSocket', 'websocket'],
  ['Ping', 'ping'],
]);

/** The engine's type for a CDP resource type: a document is the main frame's or an iframe's, as `$subdocument` filters tell them apart. */
export function adRequestType(cdpResourceType: string | undefined, mainFrame: boolean): AdRequestType {
  if (cdpResourceType === 'Document') return mainFrame ? 'main_frame' : 'sub_frame';
  return (cdpResourceType && TYPES.get(cdpResourceType)) || 'other';
}

let loading: Promise<AdFilter> | undefined;

/**
 * EasyList's network filters in an in-process engine (@ghostery/adblocker): it judges the requests
 * the node's own CDP session pauses (`Fetch.requestPaused`, request-fence.ts) for sessions with
 * `browserSettings.blockAds`. In process rather than an extension in the browser: a match takes
 * microseconds, and with no extension to load, a warm browser serves these sessions like any other.
 * Cosmetic filters (element hiding, scriptlets) are not loaded: a request is blocked or it is not;
 * a page is never restyled.
 */
export class AdFilter {
  private constructor(private readonly engine: FiltersEngine) {}

  /**
   * The one engine of this process, parsed once (a few hundred ms, on the event loop: the node does it at boot);
   * concurrent callers share it, and a failed load is retried by the next call.
   */
  static load(): Promise<AdFilter> {
    loading ??= parse().then(
      (engine) => new AdFilter(engine),
      (err: unknown) => {
        loading = undefined;
        throw new Error(`could not load the ad filter list ${LIST}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      },
    );
    return loading;
  }

  /** The list's line that blocks this request, or undefined when none does or an exception (`@@`) lets it through. */
  blocks(url: string, type: string, sourceUrl: string | undefined): string | undefined {
    try {
      const request = Request.fromRawDetails({ url, type: type as RequestType, ...(sourceUrl ? { sourceUrl } : {}) });
      const { match, exception, filter } = this.engine.match(request);
      return match && !exception && filter ? filter.toString() : undefined;
    } catch {
      // Input the engine cannot take (it throws on a non-string URL) is not an ad.
      return undefined;
    }
  }
}

/**
 * Network filters only, and the other memory-costly parts off: CSP filters (nothing injects them).
 * `debug` keeps each filter's own line (about 1 MB) so a refusal names it as the list writes it, not
 * with hashed domains; optimizations off, so that line is one filter's, not several fused into a regex.
 */
async function parse(): Promise<FiltersEngine> {
  const text = await readFile(LIST, 'utf8');
  return FiltersEngine.parse(text, { loadCosmeticFilters: false, loadCSPFilters: false, enableOptimizations: false, debug: true });
}
