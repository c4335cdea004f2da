/**
 * `navigator.platform` for pages and workers. CDP's `Emulation.setUserAgentOverride {platform}`
 * sets it only while the node's session is the target's newest: a client attaching after it (every
 * Puppeteer or Playwright connect) resets it to the host's (measured, Chromium 156). Everything
 * else the identity sets stays put across clients, so this one value is patched in the page's own
 * JavaScript: the getter of Navigator (WorkerNavigator in a worker) is wrapped in a Proxy of the
 * native one, which still throws on a foreign receiver and still prints as native code.
 * Hand-written because fingerprint-injector's script, which does the same, also replaces
 * SharedArrayBuffer, Intl and WebGL answers, which would break pages and contradict the workers.
 */
export function platformPatch(platform: string): string {
  return `(() => {
  const proto = typeof WorkerNavigator === 'function' && self.navigator instanceof WorkerNavigator ? WorkerNavigator.prototype : Navigator.prototype;
  const d = Object.getOwnPropertyDescriptor(proto, 'platform');
  if (!d || typeof d.get !== 'function' || d.get.__hangar) return;
  const value = ${JSON.stringify(platform)};
  const get = new Proxy(d.get, { apply: (target, self, args) => (Reflect.apply(target, self, args), value) });
  Object.defineProperty(get, '__hangar', { value: true });
  Object.defineProperty(proto, 'platform', { ...d, get });
})();`;
}
