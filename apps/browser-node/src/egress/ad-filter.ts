import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FiltersEngine, Request } from '@ghostery/adblocker';

/** EasyList, shipped with the node (assets/filters/README.md); the same depth from src/ and dist/. */
const LIST = fileURLToPath(new URL('../../assets/filters/easylist.txt', import.meta.url));

let loading: Promise<AdFilter> | undefined;

/**
 * The engine's request type for a CDP `Network.ResourceType` (Puppeteer's names are CDP's,
 * lower-cased): a document is the main frame's or an iframe's.
 */
export function adRequestType(cdpResourceType: string | undefined, mainFrame: boolean): string {
  if (cdpResourceType === 'Document') return mainFrame ? 'main_frame' : 'sub_frame';
  return cdpResourceType ? cdpResourceType.toLowerCase() : 'other';
}

/**
 * EasyList's network filters in an in-process engine (@ghostery/adblocker): it judges the
 * requests the node's own CDP session pauses for sessions with `browserSettings.blockAds`
 * (request-fence.ts). In process rather than as an extension: a match is microseconds, and a
 * session that blocks ads still gets a warm browser. Cosmetic filters (element hiding) are not
 * loaded: a blocked request is what Hangar promises, not a page restyled.
 */
export class AdFilter {
  private constructor(private readonly engine: FiltersEngine) {}

  /** The one engine of this process, parsed on first use (a few hundred ms); a failed load is retried by the next call. */
  static load(): Promise<AdFilter> {
    loading ??= readFile(LIST, 'utf8').then(
      (text) => new AdFilter(FiltersEngine.parse(text, { loadCosmeticFilters: false, loadNetworkFilters: true, enableCompression: false, enableOptimizations: false, debug: true })),
      (err: unknown) => {
        loading = undefined;
        throw new Error(`could not read the ad filter list ${LIST}: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
    return loading;
  }

  /** The filter that blocks this request, or undefined when none does (or an exception lets it through). */
  blocks(url: string, type: string, sourceUrl: string | undefined): string | undefined {
    try {
      const request = Request.fromRawDetails({ url, type: type as Parameters<typeof Request.fromRawDetails>[0]['type'], ...(sourceUrl ? { sourceUrl } : {}) });
      const { match, exception, filter } = this.engine.match(request);
      return match && !exception ? (filter?.rawLine ?? filter?.toString() ?? 'blocked') : undefined;
    } catch {
      return undefined;
    }
  }
}
