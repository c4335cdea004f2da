import { z } from 'zod';

/**
 * What a live-view viewer may send, and what it becomes on the page. The viewer is a person's
 * browser holding a URL that may have leaked: its messages are hostile input. Each one is parsed
 * against a closed schema (unknown fields, wrong types, out-of-range numbers: the message is
 * dropped, never forwarded), and only these few Input.* calls are ever built from it. Nothing a
 * viewer sends names a CDP method, so it cannot reach anything but mouse and keyboard input of the
 * page it is looking at.
 */

/** Coordinates are in the frame's image pixels; no screen is wider than this. */
const MAX_PIXELS = 16_384;
const coordinate = z.number().finite().min(0).max(MAX_PIXELS);
const imageSize = z.number().int().min(1).max(MAX_PIXELS);
const modifiers = z.number().int().min(0).max(15).default(0);
const BUTTONS = ['none', 'left', 'middle', 'right', 'back', 'forward'] as const;

const mouseSchema = z.strictObject({
  type: z.literal('mouse'),
  action: z.enum(['move', 'down', 'up', 'wheel']),
  x: coordinate,
  y: coordinate,
  imageWidth: imageSize,
  imageHeight: imageSize,
  button: z.enum(BUTTONS).default('none'),
  buttons: z.number().int().min(0).max(31).default(0),
  clickCount: z.number().int().min(0).max(3).default(0),
  deltaX: z.number().finite().min(-10_000).max(10_000).default(0),
  deltaY: z.number().finite().min(-10_000).max(10_000).default(0),
  modifiers,
});

const keySchema = z.strictObject({
  type: z.literal('key'),
  action: z.enum(['down', 'up']),
  key: z.string().min(1).max(32),
  code: z.string().max(32).default(''),
  keyCode: z.number().int().min(0).max(255).default(0),
  /** What the key types (a character, or '\r' for Enter); absent for keys that type nothing. */
  text: z.string().min(1).max(4).optional(),
  modifiers,
});

/** A paste: typed at the caret in one go. */
const textSchema = z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(10_000) });

export const viewerMessageSchema = z.discriminatedUnion('type', [mouseSchema, keySchema, textSchema]);
export type ViewerMessage = z.infer<typeof viewerMessageSchema>;

/** A viewer message bigger than this is cut off with its socket, unread. */
export const MAX_VIEWER_MESSAGE_BYTES = 16 * 1024;

/** `Page.screencastFrame`'s metadata, as far as scaling needs it (CSS pixels of the viewport). */
export interface FrameMetadata {
  readonly deviceWidth: number;
  readonly deviceHeight: number;
}

/** The message, or undefined for anything that is not exactly one of the shapes above. */
export function parseViewerMessage(raw: string): ViewerMessage | undefined {
  if (raw.length > MAX_VIEWER_MESSAGE_BYTES) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = viewerMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Image pixels → the page's CSS pixels: the frame may be smaller than the viewport (a scaled
 * screencast) or larger (device scale factor), so scale by `deviceWidth / imageWidth`, and clamp to
 * the viewport so a point off the picture stays on the page's edge.
 */
export function toPageCoordinates(point: { x: number; y: number; imageWidth: number; imageHeight: number }, frame: FrameMetadata): { x: number; y: number } {
  const x = (point.x * frame.deviceWidth) / point.imageWidth;
  const y = (point.y * frame.deviceHeight) / point.imageHeight;
  return { x: clamp(x, 0, frame.deviceWidth), y: clamp(y, 0, frame.deviceHeight) };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

const MOUSE_TYPES = { move: 'mouseMoved', down: 'mousePressed', up: 'mouseReleased', wheel: 'mouseWheel' } as const;

export interface CdpCall {
  readonly method: 'Input.dispatchMouseEvent' | 'Input.dispatchKeyEvent' | 'Input.insertText';
  readonly params: Record<string, unknown>;
}

/** The one CDP call a valid message becomes; undefined for mouse input before any frame (nothing to aim at). */
export function toCdpCall(message: ViewerMessage, frame: FrameMetadata | undefined): CdpCall | undefined {
  switch (message.type) {
    case 'mouse': {
      if (!frame) return undefined;
      const { x, y } = toPageCoordinates(message, frame);
      const params: Record<string, unknown> = { type: MOUSE_TYPES[message.action], x, y, modifiers: message.modifiers, button: message.button, buttons: message.buttons };
      if (message.action === 'down' || message.action === 'up') params.clickCount = Math.max(1, message.clickCount);
      if (message.action === 'wheel') Object.assign(params, { deltaX: message.deltaX, deltaY: message.deltaY, button: 'none' });
      return { method: 'Input.dispatchMouseEvent', params };
    }
    case 'key': {
      const base = { key: message.key, code: message.code, windowsVirtualKeyCode: message.keyCode, nativeVirtualKeyCode: message.keyCode, modifiers: message.modifiers };
      if (message.action === 'up') return { method: 'Input.dispatchKeyEvent', params: { type: 'keyUp', ...base } };
      // keyDown with text types it; rawKeyDown is a key that types nothing (arrows, Backspace…).
      if (message.text !== undefined) return { method: 'Input.dispatchKeyEvent', params: { type: 'keyDown', ...base, text: message.text, unmodifiedText: message.text } };
      return { method: 'Input.dispatchKeyEvent', params: { type: 'rawKeyDown', ...base } };
    }
    case 'text':
      return { method: 'Input.insertText', params: { text: message.text } };
  }
}
