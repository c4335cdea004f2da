export * from './env.js';
export * from './logger.js';
export * from './lifecycle.js';
export * from './ops-server.js';
export * from './keyed-queue.js';
export * from './system.js';
export * from './chromium-flags.js';
export * from './next-flight.js';
