/**
 * Who a session's browser says it is to the pages it visits (`browserSettings.os`, `viewport`):
 * one identity per session, applied by the node to every page, iframe and worker
 * (apps/browser-node/src/identity/). The values come from a generated fingerprint of a real
 * browser population (fingerprint-generator, asked with `fingerprintQuery`), made to agree with
 * the engine that actually runs: the version a page can measure is Chromium's own, so the user
 * agent and client hints claim that version, not the generated one.
 */

export type BrowserOs = 'windows' | 'mac' | 'linux' | 'mobile' | 'tablet';

/** Browserbase's default viewport: a desktop session that names none gets this. */
export const DEFAULT_VIEWPORT = { width: 1024, height: 768 } as const;
/** Without `os` a session is a desktop Linux browser, as the node it runs on is. */
export const DEFAULT_OS: BrowserOs = 'linux';
/** What every session's pages see as their languages (navigator.languages, Accept-Language). */
export const IDENTITY_LANGUAGES = 'en-US,en';
/**
 * A tablet's screen: fingerprint-generator knows phones and desktops only, so a tablet is an
 * Android phone's identity with a tablet's screen, no `Mobile` token and `mobile: false`, which is
 * what Chrome on an Android tablet sends.
 */
const TABLET_SCREEN = { width: 800, height: 1280 } as const;
const TOUCH_POINTS = 5;
/** Client-hint values for a fingerprint that came without them (the generator's older browsers had none). */
const HINT_DEFAULTS: Record<BrowserOs, { platform: string; architecture: string; bitness: string }> = {
  windows: { platform: 'Windows', architecture: 'x86', bitness: '64' },
  mac: { platform: 'macOS', architecture: 'arm', bitness: '64' },
  linux: { platform: 'Linux', architecture: 'x86', bitness: '64' },
  mobile: { platform: 'Android', architecture: '', bitness: '' },
  tablet: { platform: 'Android', architecture: '', bitness: '' },
};

interface Brand {
  brand: string;
  version: string;
}

/** The parts of a generated fingerprint an identity is made from (fingerprint-generator's `fingerprint`). */
export interface GeneratedFingerprint {
  navigator: {
    userAgent: string;
    platform: string;
    hardwareConcurrency?: number;
    maxTouchPoints?: number;
    userAgentData?: { brands?: Brand[]; fullVersionList?: Brand[]; platform?: string; platformVersion?: string; architecture?: string; bitness?: string; model?: string };
  };
  screen: { width: number; height: number };
}

/** The engine that runs, from CDP `Browser.getVersion`'s `product` (e.g. `HeadlessChrome/156.0.8078.114`). */
export interface EngineVersion {
  major: string;
  full: string;
}

/** CDP `Emulation.UserAgentMetadata`. */
export interface UserAgentMetadata {
  brands: Brand[];
  fullVersionList: Brand[];
  platform: string;
  platformVersion: string;
  architecture: string;
  model: string;
  mobile: boolean;
  bitness: string;
  wow64: boolean;
  formFactors: string[];
}

export interface BrowserIdentity {
  os: BrowserOs;
  userAgent: string;
  /** `navigator.platform`. */
  platform: string;
  acceptLanguage: string;
  userAgentMetadata: UserAgentMetadata;
  hardwareConcurrency: number;
  /** 0: no touch screen. */
  maxTouchPoints: number;
  screen: { width: number; height: number };
  /** The page's `innerWidth` × `innerHeight`. */
  viewport: { width: number; height: number };
}

/** What a fingerprint of each os has for a user agent and `navigator.platform`. */
const OS_SHAPE: Record<BrowserOs, { userAgent: RegExp; platform: RegExp }> = {
  windows: { userAgent: /\(Windows NT /, platform: /^Win(32|64)$/ },
  mac: { userAgent: /\(Macintosh; /, platform: /^MacIntel$/ },
  linux: { userAgent: /\(X11; (Ubuntu; )?Linux /, platform: /^Linux (x86_64|i686|armv\w+|aarch64)$/ },
  mobile: { userAgent: /\(Linux; Android [^)]*\) .* Mobile Safari\//, platform: /^Linux (armv\w+|aarch64)$/ },
  tablet: { userAgent: /\(Linux; Android [^)]*\) .* Mobile Safari\//, platform: /^Linux (armv\w+|aarch64)$/ },
};

/**
 * Whether a generated fingerprint is one of `os` (the generator answers the odd sample that is
 * not: a Windows query with a Linux platform): the node asks again for one that is not.
 */
export function fitsOs(os: BrowserOs, generated: GeneratedFingerprint): boolean {
  const shape = OS_SHAPE[os];
  return shape.userAgent.test(generated.navigator.userAgent) && shape.platform.test(generated.navigator.platform);
}

/** What fingerprint-generator is asked for, per `os`. */
export function fingerprintQuery(os: BrowserOs): { operatingSystems: Array<'windows' | 'macos' | 'linux' | 'android'>; devices: Array<'desktop' | 'mobile'> } {
  switch (os) {
    case 'windows':
      return { operatingSystems: ['windows'], devices: ['desktop'] };
    case 'mac':
      return { operatingSystems: ['macos'], devices: ['desktop'] };
    case 'linux':
      return { operatingSystems: ['linux'], devices: ['desktop'] };
    case 'mobile':
    case 'tablet':
      return { operatingSystems: ['android'], devices: ['mobile'] };
  }
}

/** `HeadlessChrome/156.0.8078.114` → 156 and 156.0.8078.114; undefined when it names no version. */
export function engineVersion(product: string): EngineVersion | undefined {
  const m = /\/(\d+)((?:\.\d+){3})$/.exec(product);
  return m ? { major: m[1]!, full: `${m[1]}${m[2]}` } : undefined;
}

/** A brand list with Chrome's and Chromium's versions made the engine's (the GREASE brand kept as generated). */
function engineBrands(brands: Brand[] | undefined, version: string, greaseVersion: string): Brand[] {
  const list = brands?.length ? brands : [{ brand: 'Not.A/Brand', version: greaseVersion }, { brand: 'Chromium', version }, { brand: 'Google Chrome', version }];
  return list.map((b) => (b.brand === 'Chromium' || b.brand === 'Google Chrome' ? { brand: b.brand, version } : b));
}

/**
 * The identity of one session: `generated` fitted to `os`, the engine's version and the viewport.
 * The screen is never smaller than the viewport (a window larger than its screen is a tell).
 */
export function browserIdentity(os: BrowserOs, generated: GeneratedFingerprint, engine: EngineVersion, viewport?: { width: number; height: number }): BrowserIdentity {
  const nav = generated.navigator;
  const uad = nav.userAgentData ?? {};
  const handheld = os === 'mobile' || os === 'tablet';
  let userAgent = nav.userAgent.replace(/(Headless)?Chrome\/\d+(\.\d+){3}/, `Chrome/${engine.major}.0.0.0`);
  if (os === 'tablet') userAgent = userAgent.replace(' Mobile Safari/', ' Safari/');
  const screen = os === 'tablet' ? TABLET_SCREEN : generated.screen;
  const size = viewport ?? (handheld ? { width: screen.width, height: screen.height } : DEFAULT_VIEWPORT);
  return {
    os,
    userAgent,
    platform: nav.platform,
    acceptLanguage: IDENTITY_LANGUAGES,
    userAgentMetadata: {
      brands: engineBrands(uad.brands, engine.major, '8'),
      fullVersionList: engineBrands(uad.fullVersionList, engine.full, '8.0.0.0'),
      platform: uad.platform || HINT_DEFAULTS[os].platform,
      platformVersion: uad.platformVersion ?? '',
      architecture: uad.architecture || HINT_DEFAULTS[os].architecture,
      model: os === 'tablet' ? '' : (uad.model ?? ''),
      mobile: os === 'mobile',
      bitness: uad.bitness || HINT_DEFAULTS[os].bitness,
      wow64: false,
      formFactors: [os === 'mobile' ? 'Mobile' : os === 'tablet' ? 'Tablet' : 'Desktop'],
    },
    hardwareConcurrency: nav.hardwareConcurrency && nav.hardwareConcurrency > 0 ? nav.hardwareConcurrency : 8,
    maxTouchPoints: handheld ? nav.maxTouchPoints || TOUCH_POINTS : 0,
    screen: { width: Math.max(screen.width, size.width), height: Math.max(screen.height, size.height) },
    viewport: { width: size.width, height: size.height },
  };
}
