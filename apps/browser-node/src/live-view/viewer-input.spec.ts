import { MAX_VIEWER_MESSAGE_BYTES, parseViewerMessage, toCdpCall, toPageCoordinates } from './viewer-input.js';

const frame = { deviceWidth: 1280, deviceHeight: 720 };
const click = { type: 'mouse', action: 'down', x: 320, y: 180, imageWidth: 640, imageHeight: 360, button: 'left', buttons: 1, clickCount: 1 };

describe('toPageCoordinates', () => {
  it('scales image pixels by deviceWidth / imageWidth (a half-size cast → double)', () => {
    expect(toPageCoordinates({ x: 320, y: 180, imageWidth: 640, imageHeight: 360 }, frame)).toEqual({ x: 640, y: 360 });
  });

  it('scales down for a device-scale-factor 2 frame (image larger than the viewport)', () => {
    expect(toPageCoordinates({ x: 1000, y: 500, imageWidth: 2560, imageHeight: 1440 }, frame)).toEqual({ x: 500, y: 250 });
  });

  it('clamps a point past the picture to the viewport edge', () => {
    expect(toPageCoordinates({ x: 700, y: 400, imageWidth: 640, imageHeight: 360 }, frame)).toEqual({ x: 1280, y: 720 });
  });
});

describe('parseViewerMessage: hostile input is dropped, never forwarded', () => {
  it('accepts a well-formed click and fills defaults', () => {
    expect(parseViewerMessage(JSON.stringify(click))).toMatchObject({ ...click, modifiers: 0, deltaX: 0, deltaY: 0 });
  });

  it.each([
    ['not JSON', '{'],
    ['a CDP call', JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: '1' } })],
    ['an unknown type', JSON.stringify({ type: 'cdp', method: 'Browser.close' })],
    ['an extra field (method smuggled into a mouse event)', JSON.stringify({ ...click, method: 'Browser.close' })],
    ['a string coordinate', JSON.stringify({ ...click, x: '320' })],
    ['a negative coordinate', JSON.stringify({ ...click, x: -1 })],
    ['an infinite coordinate (1e999)', JSON.stringify(click).replace('"x":320', '"x":1e999')],
    ['a zero image width', JSON.stringify({ ...click, imageWidth: 0 })],
    ['an unknown button', JSON.stringify({ ...click, button: 'fourth' })],
    ['a clickCount of 99', JSON.stringify({ ...click, clickCount: 99 })],
    ['modifiers out of range', JSON.stringify({ ...click, modifiers: 16 })],
    ['a key without a key', JSON.stringify({ type: 'key', action: 'down' })],
    ['a long key name', JSON.stringify({ type: 'key', action: 'down', key: 'k'.repeat(33) })],
    ['a key text of many characters', JSON.stringify({ type: 'key', action: 'down', key: 'a', text: 'abcde' })],
    ['an empty paste', JSON.stringify({ type: 'text', text: '' })],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['an oversized message', JSON.stringify({ type: 'text', text: 'x'.repeat(MAX_VIEWER_MESSAGE_BYTES) })],
  ])('drops %s', (_why, raw) => {
    expect(parseViewerMessage(raw)).toBeUndefined();
  });
});

describe('toCdpCall', () => {
  it('turns a click into mousePressed at page coordinates', () => {
    expect(toCdpCall(parseViewerMessage(JSON.stringify(click))!, frame)).toEqual({
      method: 'Input.dispatchMouseEvent',
      params: { type: 'mousePressed', x: 640, y: 360, modifiers: 0, button: 'left', buttons: 1, clickCount: 1 },
    });
  });

  it('sends no mouse input before the first frame (nothing to aim at)', () => {
    expect(toCdpCall(parseViewerMessage(JSON.stringify(click))!, undefined)).toBeUndefined();
  });

  it('wheel carries deltas and no button', () => {
    const wheel = parseViewerMessage(JSON.stringify({ ...click, action: 'wheel', deltaY: 120, button: 'left' }))!;
    expect(toCdpCall(wheel, frame)?.params).toMatchObject({ type: 'mouseWheel', deltaX: 0, deltaY: 120, button: 'none' });
  });

  it('keyDown with text types it; without text it is a rawKeyDown; keyUp', () => {
    const typed = parseViewerMessage(JSON.stringify({ type: 'key', action: 'down', key: 'a', code: 'KeyA', keyCode: 65, text: 'a' }))!;
    expect(toCdpCall(typed, undefined)).toEqual({
      method: 'Input.dispatchKeyEvent',
      params: { type: 'keyDown', key: 'a', code: 'KeyA', windowsVirtualKeyCode: 65, nativeVirtualKeyCode: 65, modifiers: 0, text: 'a', unmodifiedText: 'a' },
    });
    const arrow = parseViewerMessage(JSON.stringify({ type: 'key', action: 'down', key: 'ArrowLeft', code: 'ArrowLeft', keyCode: 37 }))!;
    expect(toCdpCall(arrow, undefined)?.params).toMatchObject({ type: 'rawKeyDown', key: 'ArrowLeft' });
    const up = parseViewerMessage(JSON.stringify({ type: 'key', action: 'up', key: 'a', text: 'a' }))!;
    expect(toCdpCall(up, undefined)?.params).not.toHaveProperty('text');
  });

  it('a paste becomes Input.insertText', () => {
    expect(toCdpCall(parseViewerMessage(JSON.stringify({ type: 'text', text: 'hello' }))!, undefined)).toEqual({ method: 'Input.insertText', params: { text: 'hello' } });
  });
});
