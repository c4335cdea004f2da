import type { BrowserIdentity } from '@hangar/domain';
import type { ShapedTarget, TargetShaper } from '../sessions/target-shaper.js';
import type { CdpConnection } from '../telemetry/cdp-connection.js';
import { platformPatch } from './platform-patch.js';

/**
 * A session's identity (packages/domain identity/) on each of its targets, before it runs:
 *
 * - user agent, client hints (`navigator.userAgentData` and the `Sec-CH-UA*` headers) and
 *   languages with `Emulation.setUserAgentOverride` plus its metadata (without metadata Chromium
 *   sends no client hints at all), and `hardwareConcurrency`: pages, iframes and workers alike;
 * - `navigator.platform` in the target's own JavaScript (platform-patch.ts says why);
 * - on pages: the screen (`Emulation.setDeviceMetricsOverride` with width and height 0, which
 *   leaves the viewport to the window), touch for handhelds, and the viewport itself:
 *   `Browser.setContentsSize` resizes the page's window so that innerWidth × innerHeight is the
 *   asked size exactly, tab strip and infobars aside, in every tab and popup of it.
 *
 * Session-scoped: all of it lasts as long as the node's CDP session of the target, which lasts as
 * long as the session. A client that sets its own viewport or user agent (Puppeteer's default
 * 800×600 `defaultViewport`, `page.setUserAgent`) overrides these for its pages, as it asked.
 * `navigator.webdriver` is false for every browser (a launch flag: chromium.flags.ts).
 */
export class IdentityShaper implements TargetShaper {
  constructor(readonly identity: BrowserIdentity) {}

  async shape(cdp: CdpConnection, target: ShapedTarget): Promise<void> {
    const id = this.identity;
    const s = target.sessionId;
    const calls: Promise<unknown>[] = [
      cdp.send('Emulation.setUserAgentOverride', { userAgent: id.userAgent, platform: id.platform, acceptLanguage: id.acceptLanguage, userAgentMetadata: id.userAgentMetadata }, s),
      cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: id.hardwareConcurrency }, s),
    ];
    if (target.type === 'page' || target.type === 'iframe') {
      calls.push(cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: platformPatch(id.platform), runImmediately: true }, s));
    } else {
      calls.push(cdp.send('Runtime.evaluate', { expression: platformPatch(id.platform) }, s));
    }
    if (target.type === 'page') {
      calls.push(cdp.send('Emulation.setDeviceMetricsOverride', { width: 0, height: 0, deviceScaleFactor: 0, mobile: false, screenWidth: id.screen.width, screenHeight: id.screen.height }, s));
      if (id.maxTouchPoints > 0) calls.push(cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: id.maxTouchPoints }, s));
      calls.push(
        cdp
          .send('Browser.getWindowForTarget', { targetId: target.targetId })
          .then(({ windowId }) => cdp.send('Browser.setContentsSize', { windowId, width: id.viewport.width, height: id.viewport.height })),
      );
    }
    await Promise.all(calls);
  }
}
