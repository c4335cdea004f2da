import { browserIdentity, DEFAULT_OS, engineVersion, fingerprintQuery, fitsOs, type BrowserIdentity, type EngineVersion, type GeneratedFingerprint } from '@hangar/domain';
import type { BrowserSettings } from '@hangar/contracts';
import { FingerprintGenerator } from 'fingerprint-generator';
import type { CdpConnection } from '../telemetry/cdp-connection.js';

/** The generator's odd samples are rare (about 1 in 200 for Windows): a handful of tries always finds one. */
const MAX_TRIES = 20;
let generator: FingerprintGenerator | undefined;
let engine: Promise<EngineVersion> | undefined;

/** Loads fingerprint-generator's model (~120 ms, once per process): at boot, not in a session's start. */
export function loadFingerprintModel(): void {
  generator ??= new FingerprintGenerator();
}

/** The engine's version, asked of the first browser and kept: every browser of a node runs the same binary. */
export function engineOf(cdp: CdpConnection): Promise<EngineVersion> {
  engine ??= cdp.send('Browser.getVersion').then(({ product }) => {
    const version = engineVersion(String(product));
    if (!version) throw new Error(`Browser.getVersion named no version: ${String(product)}`);
    return version;
  });
  engine.catch(() => (engine = undefined));
  return engine;
}

/** A fresh identity for one session: a fingerprint generated for its `os` (Linux desktop without one), fitted to the engine. */
export function sessionIdentity(browserSettings: BrowserSettings, version: EngineVersion): BrowserIdentity {
  const os = browserSettings.os ?? DEFAULT_OS;
  loadFingerprintModel();
  let fingerprint: GeneratedFingerprint;
  let tries = 0;
  do fingerprint = generator!.getFingerprint({ browsers: ['chrome'], ...fingerprintQuery(os), locales: ['en-US'] }).fingerprint;
  while (!fitsOs(os, fingerprint) && ++tries < MAX_TRIES);
  if (!fitsOs(os, fingerprint)) throw new Error(`fingerprint-generator gave no ${os} fingerprint in ${MAX_TRIES} tries`);
  return browserIdentity(os, fingerprint, version, browserSettings.viewport);
}
