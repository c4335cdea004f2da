export * from './pipe-upgrade.js';
export type { KeepaliveOptions } from './client-keepalive.js';
export { ServerFrameTracker } from './server-frame.tracker.js';
