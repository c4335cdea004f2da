import type { PipeOptions } from '@hangar/upgrade-proxy';
import { cdpGuard } from './cdp-guard.stream.js';
import type { CdpTap } from './cdp-tap.js';
import type { GuardFolders } from './guarded-methods.js';

/**
 * How a session's CDP splice to Chromium is guarded: the client → Chromium frames through
 * cdpGuard, answers to refused calls slipped in between Chromium's frames, and no
 * Sec-WebSocket-Extensions offer forwarded, so permessage-deflate (which Chromium's DevTools
 * server supports) is never negotiated and no payload reaches Chromium compressed, unread.
 */
export function guardedPipeOptions(folders: GuardFolders, onRefused?: (method: string | undefined, why: string) => void, tap?: CdpTap): PipeOptions & { dropHeaders: string[] } {
  return {
    dropHeaders: ['origin', 'sec-websocket-extensions'],
    clientFilter: (toClient) => cdpGuard({ folders, toClient, ...(onRefused ? { onRefused } : {}), ...(tap ? { onForwarded: (p: Buffer) => tap.client(p) } : {}) }),
    ...(tap ? { onUpstreamData: (chunk: Buffer) => tap.server(chunk) } : {}),
  };
}
