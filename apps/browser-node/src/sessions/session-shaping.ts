import type { SessionLogEntry } from '@hangar/contracts';
import { RequestFence } from '../egress/request-fence.js';
import { IdentityShaper } from '../identity/identity-shaper.js';
import { engineOf, sessionIdentity } from '../identity/session-identity.js';
import type { LiveSession } from './live-session.js';
import { shapers, type TargetShaper } from './target-shaper.js';

/**
 * Everything a session makes of its browser's targets: its identity (every session: no
 * HeadlessChrome, its `os` and `viewport`) and, when it asks for them, its request fences
 * (`allowedDomains`, `blockAds`). The identity is generated once per session, on its first target.
 */
export function sessionShaper(session: LiveSession, log: (entry: SessionLogEntry) => void): TargetShaper {
  const { browserSettings } = session;
  let identity: Promise<IdentityShaper> | undefined;
  const identityShaper: TargetShaper = {
    shape: async (cdp, target) => {
      identity ??= engineOf(cdp).then((engine) => new IdentityShaper(sessionIdentity(browserSettings, engine)));
      await (await identity).shape(cdp, target);
    },
  };
  const fence = RequestFence.needed(browserSettings.allowedDomains, browserSettings.blockAds)
    ? new RequestFence({ sessionId: session.id, blockAds: browserSettings.blockAds === true, log, ...(browserSettings.allowedDomains ? { allowedDomains: browserSettings.allowedDomains } : {}) })
    : undefined;
  return shapers(identityShaper, fence)!;
}
