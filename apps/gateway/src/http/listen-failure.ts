/**
 * Why the gateway could not listen, naming the setting to change; undefined for any other
 * failure. The local stack prints it as the reason `npm start` failed.
 */
export function listenFailure(err: unknown, env: { HANGAR_PORT: number; HANGAR_HOST: string }): string | undefined {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `port ${env.HANGAR_PORT} is in use (set HANGAR_PORT)`;
    case 'EACCES':
      return `no permission to listen on port ${env.HANGAR_PORT} (set HANGAR_PORT to 1024 or above)`;
    case 'EADDRNOTAVAIL':
      return `${env.HANGAR_HOST} is not an address of this machine (set HANGAR_HOST)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HANGAR_HOST=${env.HANGAR_HOST} does not resolve (set HANGAR_HOST)`;
    default:
      return undefined;
  }
}
