import os from 'node:os';

/**
 * An IPv4 address of this machine that is not loopback: what a probe from another pod or
 * container reaches a service at. A service bound to 127.0.0.1 refuses it; one bound to 0.0.0.0
 * answers. Throws on a machine with no such interface (the tests that need it cannot say anything there).
 */
export function nonLoopbackAddress(): string {
  const found = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
  if (!found) throw new Error('this machine has no non-loopback IPv4 address to probe from');
  return found.address;
}
