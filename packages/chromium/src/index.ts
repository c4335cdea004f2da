export * from './host-flags.js';
export * from './chromium-binary.js';
export * from './proc-stat.js';
export * from './processes.js';
export * from './process-group.js';
export * from './process-memory.js';
export * from './thread-scheduling.js';
export * from './devtools-address.js';
