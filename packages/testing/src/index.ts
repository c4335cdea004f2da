export * from './infra.js';
export * from './processes.js';
export * from './ownership.js';
export * from './nats-cluster.js';
export * from './network.js';
export * from './prometheus.js';
export * from './s3-server.js';
export * from './zip.js';
