import { navigationAllowed } from '@hangar/domain';
import type { SessionLogEntry } from '@hangar/contracts';
import type { ShapedTarget, TargetShaper } from '../sessions/target-shaper.js';
import type { CdpConnection, CdpEvent } from '../telemetry/cdp-connection.js';
import { adRequestType, AdFilter } from './ad-filter.js';

export interface FenceOptions {
  sessionId: string;
  /** `browserSettings.allowedDomains`: top-level navigations elsewhere fail. */
  allowedDomains?: readonly string[];
  /** `browserSettings.blockAds`: every request judged by the filter list. */
  blockAds: boolean;
  /** Into the session's logs (when it logs). */
  log(entry: SessionLogEntry): void;
}

interface PausedRequest {
  requestId: string;
  request: { url: string; headers?: Record<string, string> };
  frameId?: string;
  resourceType?: string;
}

/**
 * A session's own fences on what its pages request, on the node's CDP session of each page and
 * iframe (`Fetch.enable`, request stage): a request is paused before it leaves the browser, and
 * either continued or failed with `BlockedByClient`, which the page sees as
 * net::ERR_BLOCKED_BY_CLIENT (a navigation shows Chromium's error page; nothing was sent).
 *
 * - `allowedDomains`: only the main frame's documents are judged (domain/network/allowed-domains.ts):
 *   subresources and iframes load from anywhere, as the setting is about where a page may go.
 * - `blockAds`: every request of every page and iframe against EasyList (ad-filter.ts).
 *
 * Each refusal is a `Hangar.requestBlocked` entry in the session's logs, beside the
 * `Network.loadingFailed` Chromium reports. A client's own request interception chains with
 * this one; the client cannot turn this off, since it is the node's session, not the client's.
 * Workers' own requests are not judged.
 */
export class RequestFence implements TargetShaper {
  private filter: Promise<AdFilter> | undefined;

  constructor(private readonly options: FenceOptions) {}

  /** Whether a session needs a fence at all. */
  static needed(allowedDomains: readonly string[] | undefined, blockAds: boolean | undefined): boolean {
    return allowedDomains !== undefined || blockAds === true;
  }

  async shape(cdp: CdpConnection, target: ShapedTarget): Promise<void> {
    if (this.options.blockAds) {
      if (target.type !== 'page' && target.type !== 'iframe') return;
      this.filter ??= AdFilter.load();
      await this.filter;
      await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] }, target.sessionId);
    } else if (target.type === 'page') {
      await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }] }, target.sessionId);
    }
  }

  event(cdp: CdpConnection, e: CdpEvent, target: ShapedTarget): boolean {
    if (e.method !== 'Fetch.requestPaused') return false;
    void this.decide(cdp, e.params as unknown as PausedRequest, target);
    return true;
  }

  private async decide(cdp: CdpConnection, paused: PausedRequest, target: ShapedTarget): Promise<void> {
    const { requestId, request, frameId, resourceType } = paused;
    const s = target.sessionId;
    let blockedBy: { reason: string; filter?: string } | undefined;
    try {
      const mainFrame = target.type === 'page' && frameId === target.targetId && resourceType === 'Document';
      if (mainFrame && !navigationAllowed(this.options.allowedDomains, hostOf(request.url))) blockedBy = { reason: 'allowedDomains' };
      else if (this.options.blockAds && this.filter) {
        const filter = (await this.filter).blocks(request.url, adRequestType(resourceType, mainFrame), referer(request.headers));
        if (filter !== undefined) blockedBy = { reason: 'blockAds', filter };
      }
    } catch {
      // A request the fence cannot judge is not left paused: it goes on (the filter failed to load, say).
    }
    if (!blockedBy) return void cdp.send('Fetch.continueRequest', { requestId }, s).catch(() => undefined);
    await cdp.send('Fetch.failRequest', { requestId, errorReason: 'BlockedByClient' }, s).catch(() => undefined);
    const now = Date.now();
    const params = { url: request.url.slice(0, 2048), resourceType: resourceType ?? 'Other', ...blockedBy };
    this.options.log({
      method: 'Hangar.requestBlocked',
      pageId: target.pageId,
      sessionId: this.options.sessionId,
      ...(frameId ? { frameId } : {}),
      timestamp: now,
      request: { params, rawBody: JSON.stringify(params), timestamp: now },
    });
  }
}

/** The host of a URL the browser requests; '' for one without (never allowed but by `*`). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function referer(headers: Record<string, string> | undefined): string | undefined {
  if (!headers) return undefined;
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'referer') return value;
  return undefined;
}
