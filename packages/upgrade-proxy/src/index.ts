export * from './pipe-upgrade.js';
