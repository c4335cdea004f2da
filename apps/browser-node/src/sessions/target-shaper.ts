import type { CdpConnection, CdpEvent } from '../telemetry/cdp-connection.js';

/** One target of a session's browser as the node's own CDP connection holds it. */
export interface ShapedTarget {
  /** The node's flat CDP session of the target. */
  sessionId: string;
  targetId: string;
  /** `page`, `iframe`, `worker`, `shared_worker`, `service_worker`. */
  type: string;
  /** The session-stable page number of log entries (telemetry/session-observer.ts PageIds). */
  pageId: number;
}

/**
 * What a session makes of its browser's targets over the node's own CDP connection, before each
 * runs: its identity (identity/), its request fence (egress/request-fence.ts). The observer
 * (telemetry/session-observer.ts) attaches to every target with `waitForDebuggerOnStart` and lets
 * it run only once `shape` has resolved, so a page's first script already sees the result.
 */
export interface TargetShaper {
  shape(cdp: CdpConnection, target: ShapedTarget): Promise<void>;
  /** A CDP event of one of the shaper's targets (Fetch.requestPaused); true when it was the shaper's. */
  event?(cdp: CdpConnection, e: CdpEvent, target: ShapedTarget): boolean;
}

/** Several shapers as one, in order. */
export function shapers(...list: Array<TargetShaper | undefined>): TargetShaper | undefined {
  const all = list.filter((s): s is TargetShaper => s !== undefined);
  if (all.length <= 1) return all[0];
  return {
    shape: async (cdp, target) => {
      await Promise.all(all.map((s) => s.shape(cdp, target)));
    },
    event: (cdp, e, target) => all.some((s) => s.event?.(cdp, e, target) ?? false),
  };
}
