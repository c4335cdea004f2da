export * from './pipe-upgrade.js';
export type { KeepaliveOptions } from './client-keepalive.js';
export { ServerFrameTracker } from './server-frame.tracker.js';
export { ServerFrameInjector } from './server-frame.injector.js';
