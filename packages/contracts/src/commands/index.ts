export * from './command-error.js';
export * from './create-session.command.js';
export * from './release-session.command.js';
export * from './start-session.command.js';
export * from './stop-session.command.js';
export * from './node-heartbeat.message.js';
export * from './scheduler-status.query.js';
export * from './drain-node.command.js';
