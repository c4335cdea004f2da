import WebSocket from 'ws';
import type { Logger } from '@hangar/runtime';
import { parseViewerMessage, toCdpCall, type FrameMetadata } from './viewer-input.js';

/** Chromium's screencast: JPEG at the session's own size (data-plane-notes §1: q75 ≈ 15 KB a frame). */
const SCREENCAST = { format: 'jpeg', quality: 75, everyNthFrame: 1 } as const;

/** A viewer whose socket still holds this much unsent is not sent more: its frames stay un-acked. */
const MAX_VIEWER_BUFFER_BYTES = 256 * 1024;

/** How long a new viewer waits for the cast's first frame before it is sent a screenshot instead. */
const FIRST_FRAME_WAIT_MS = 1_000;

export interface BridgeOptions {
  /** Chromium's loopback DevTools port and the page target to show. */
  readonly port: number;
  readonly targetId: string;
  /** View-only: the viewer's messages are never read, whatever they say. */
  readonly readOnly: boolean;
  readonly logger: Logger;
  readonly sessionId: string;
}

/**
 * One viewer ↔ one page: the node's own CDP session on the page target (never the client's
 * socket, never through the client-facing proxy, so it is not counted as a client connection)
 * casts frames to the viewer and turns the viewer's input into Input.* calls.
 *
 * Flow control: Chromium keeps about three frames in flight until each is acked, so a frame is
 * acked only once the viewer's socket took it (the send callback) and its buffer is low: a slow
 * viewer slows the cast rather than buffering frames without bound here (Steel acks first).
 *
 * It never sends Emulation.setDeviceMetricsOverride (that would resize the client's viewport)
 * nor Page.bringToFront (that would switch the client's active tab); focus emulation on this
 * session alone makes a background tab paint at full rate.
 */
export function bridgeScreencast(viewer: WebSocket, options: BridgeOptions): void {
  const { port, targetId, readOnly, logger, sessionId } = options;
  const cdp = new WebSocket(`ws://127.0.0.1:${port}/devtools/page/${targetId}`, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  let nextId = 1;
  let frame: FrameMetadata | undefined;
  const answers = new Map<number, (result: Record<string, unknown> | undefined) => void>();
  const call = (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown> | undefined> => {
    if (cdp.readyState !== WebSocket.OPEN) return Promise.resolve(undefined);
    const id = nextId++;
    cdp.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => answers.set(id, resolve));
  };
  const close = (code: number, reason: string) => {
    if (viewer.readyState === WebSocket.OPEN || viewer.readyState === WebSocket.CONNECTING) viewer.close(code, reason);
    if (cdp.readyState === WebSocket.OPEN || cdp.readyState === WebSocket.CONNECTING) cdp.close();
  };

  cdp.on('open', () => {
    void call('Emulation.setFocusEmulationEnabled', { enabled: true });
    void call('Page.enable');
    void call('Page.startScreencast', SCREENCAST);
    // Chromium casts on repaint only: a static page that another viewer already casts may send
    // nothing for a long while. A screenshot gives this viewer its first picture meanwhile.
    setTimeout(() => void (frame ? undefined : firstPicture()), FIRST_FRAME_WAIT_MS);
  });
  async function firstPicture() {
    const metrics = (await call('Page.getLayoutMetrics')) as { cssLayoutViewport?: { clientWidth?: number; clientHeight?: number } } | undefined;
    const shot = await call('Page.captureScreenshot', { format: 'jpeg', quality: SCREENCAST.quality });
    const viewport = metrics?.cssLayoutViewport;
    if (frame || typeof shot?.data !== 'string' || typeof viewport?.clientWidth !== 'number' || typeof viewport.clientHeight !== 'number') return;
    frame = { deviceWidth: viewport.clientWidth, deviceHeight: viewport.clientHeight };
    sendJson({ type: 'frame', data: shot.data, metadata: frame });
  }
  cdp.on('message', (data) => {
    let message: { id?: number; result?: Record<string, unknown>; method?: string; params?: Record<string, unknown>; error?: { message?: string } };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      answers.get(message.id)?.(message.result);
      answers.delete(message.id);
    }
    if (message.error) logger.debug({ sessionId, targetId, error: message.error.message }, 'live view call refused by the page');
    if (message.method === 'Page.screencastFrame') onFrame(message.params ?? {});
    else if (message.method === 'Inspector.detached') close(1000, 'page closed');
    else if (message.method === 'Page.frameNavigated') {
      const f = (message.params as { frame?: { parentId?: string; url?: string } }).frame;
      if (f && !f.parentId) sendJson({ type: 'navigated', url: f.url });
    }
  });
  cdp.on('error', (err) => logger.debug({ err, sessionId, targetId }, 'live view page socket failed'));
  // The page closed or the browser is gone (the session ended): the viewer is told by the close.
  cdp.on('close', () => {
    for (const resolve of answers.values()) resolve(undefined);
    answers.clear();
    close(1000, 'session ended');
  });

  const sendJson = (value: unknown, done?: (err?: Error) => void) => {
    if (viewer.readyState !== WebSocket.OPEN) return;
    viewer.send(JSON.stringify(value), done);
  };

  function onFrame(params: Record<string, unknown>) {
    const ack = () => void call('Page.screencastFrameAck', { sessionId: params.sessionId });
    const metadata = params.metadata as { deviceWidth?: number; deviceHeight?: number } | undefined;
    if (typeof metadata?.deviceWidth === 'number' && typeof metadata.deviceHeight === 'number') frame = { deviceWidth: metadata.deviceWidth, deviceHeight: metadata.deviceHeight };
    sendJson({ type: 'frame', data: params.data, metadata: params.metadata }, (err) => {
      if (err) return;
      if (viewer.bufferedAmount <= MAX_VIEWER_BUFFER_BYTES) return ack();
      // Still backed up: ack once the socket has drained, checked as the viewer reads.
      const timer = setInterval(() => {
        if (viewer.readyState !== WebSocket.OPEN) return clearInterval(timer);
        if (viewer.bufferedAmount <= MAX_VIEWER_BUFFER_BYTES) {
          clearInterval(timer);
          ack();
        }
      }, 50);
    });
  }

  viewer.on('message', (data, isBinary) => {
    // View-only is enforced here, on the server: whatever a view-only viewer sends is dropped unread.
    if (readOnly || isBinary) return;
    const message = parseViewerMessage(String(data));
    if (!message) return;
    const cdpCall = toCdpCall(message, frame);
    if (cdpCall) void call(cdpCall.method, cdpCall.params);
  });
  viewer.on('error', () => undefined);
  viewer.on('close', () => close(1000, 'viewer left'));
}
