export * from './infra.js';
export * from './processes.js';
export * from './ownership.js';
