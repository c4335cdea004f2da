import { createLogger, reportFatal, stopWithLauncher } from '@hangar/runtime';
import { startGateway } from './app.factory.js';
import { loadGatewayEnv, type GatewayEnv } from './env.js';
import { listenFailure } from './http/listen-failure.js';

let env: GatewayEnv;
try {
  env = loadGatewayEnv();
} catch (err) {
  // Before a logger exists: the message lists every bad setting, a stack trace would bury it.
  console.error(err instanceof Error ? err.message : String(err));
  await reportFatal(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
const logger = createLogger('gateway', env.LOG_LEVEL);

try {
  const gateway = await startGateway(env, logger);
  // Nest runs the shutdown hooks (drain NATS, close the pool, cut piped sockets) on these.
  gateway.app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  stopWithLauncher();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => logger.info({ signal }, 'shutting down'));
  logger.info({ url: gateway.url }, 'gateway listening');
  // To the local stack (its IPC channel), which lets the gateway pick a free port itself: a port
  // chosen for it beforehand could be taken by another process's bind in the meantime.
  process.send?.({ type: 'listening', port: Number(new URL(gateway.url).port) });
} catch (err) {
  // A port in use is a setting to change, not a crash: one line naming it, no stack trace.
  const reason = listenFailure(err, env);
  if (reason) logger.fatal({ port: env.HANGAR_PORT, host: env.HANGAR_HOST }, reason);
  else logger.fatal({ err }, 'gateway failed to start');
  await reportFatal(reason ?? `failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
