export * from './envelope.js';
export * from './subjects.js';
export * from './session-settings.js';
export * from './create-session.body.js';
export * from './session-snapshot.js';
export * from './events/index.js';
export * from './commands/index.js';
