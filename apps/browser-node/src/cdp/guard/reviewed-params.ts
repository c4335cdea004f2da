/**
 * Protocol parameters that look like host paths, files or URLs (protocol-review.int.spec.ts finds
 * them in the running Chromium's /json/protocol) and were read and judged safe without a guard:
 * `"<Domain.command> <param path>": why`. Anything the scan finds that is neither here nor handled
 * by an entry of GUARDED fails that test, so a Chromium upgrade that adds one gets a review.
 */
export const REVIEWED_SAFE: Readonly<Record<string, string>> = {
  'Browser.addPrivacySandboxEnrollmentOverride url': 'an origin to treat as enrolled; nothing is loaded',
  'CacheStorage.requestCachedResponse requestURL': "a key into the origin's own Cache Storage",
  'CacheStorage.requestEntries pathFilter': "a URL path filter over the origin's cache entries",
  'Cast.enable presentationUrl': 'Cast sink discovery for a presentation URL; not loaded by the browser',
  'DOM.pushNodeByPathToFrontend path': 'a DOM node path, not a file path',
  'DOMDebugger.removeXHRBreakpoint url': 'a substring to break on; nothing is loaded',
  'DOMDebugger.setXHRBreakpoint url': 'a substring to break on; nothing is loaded',
  'Debugger.setBreakpointByUrl url': 'matches scripts already loaded; nothing is loaded',
  'Debugger.setBreakpointByUrl urlRegex': 'matches scripts already loaded; nothing is loaded',
  'FedCm.openUrl accountUrlType': 'an enum naming a dialog link (terms, privacy policy)',
  'Fetch.enable patterns.urlPattern': 'which requests to intercept; nothing is loaded',
  'FileSystem.getDirectory bucketFileSystemLocator': "an origin's sandboxed storage bucket (OPFS), not the host's file system",
  'FileSystem.getDirectory bucketFileSystemLocator.pathComponents': 'path inside that sandboxed bucket',
  'Input.dispatchDragEvent data.items.baseURL': 'base URL of dragged HTML text; nothing is loaded',
  'Network.deleteCookies url': 'cookie scope',
  'Network.deleteCookies path': 'cookie path attribute',
  'Network.emulateNetworkConditionsByRule matchedNetworkConditions.urlPattern': 'which requests to throttle',
  'Network.getCookies urls': 'cookie scope',
  'Network.setBlockedURLs urlPatterns': 'requests to block',
  'Network.setBlockedURLs urlPatterns.urlPattern': 'requests to block',
  'Network.setBlockedURLs urls': 'requests to block',
  'Network.setCookie url': 'cookie scope; a file: URL only scopes a cookie',
  'Network.setCookie path': 'cookie path attribute',
  'Network.setCookies cookies.url': 'cookie scope',
  'Network.setCookies cookies.path': 'cookie path attribute',
  'Page.addCompilationCache url': 'keys V8 code cache data the client supplies',
  'Page.deleteCookie url': 'cookie scope',
  'Page.enable enableFileChooserOpenedEvent': 'only reports file choosers; answering one is DOM.setFileInputFiles (guarded)',
  'Page.getResourceContent url': "a resource the frame already loaded, from the frame's own resource tree",
  'Page.produceCompilationCache scripts.url': 'scripts the page loads anyway',
  'Page.searchInResource url': 'a resource the frame already loaded',
  'Runtime.compileScript sourceURL': 'a label for the compiled script',
  'ServiceWorker.skipWaiting scopeURL': "the scope of the origin's own service worker",
  'ServiceWorker.startWorker scopeURL': "the scope of the origin's own service worker",
  'ServiceWorker.unregister scopeURL': "the scope of the origin's own service worker",
  'ServiceWorker.updateRegistration scopeURL': "the scope of the origin's own service worker",
  'Storage.setCookies cookies.url': 'cookie scope',
  'Storage.setCookies cookies.path': 'cookie path attribute',
};

/**
 * Domains whose commands were read (Chromium 156). A new domain fails the review test: new
 * surfaces (a file-system or device API) arrive as whole domains, and their commands need reading
 * even when no parameter looks like a path.
 */
export const REVIEWED_DOMAINS: readonly string[] = [
  'Accessibility', 'Ads', 'Animation', 'Audits', 'Autofill', 'BackgroundService', 'BluetoothEmulation', 'Browser', 'CSS',
  'CacheStorage', 'Cast', 'Console', 'CrashReportContext', 'DOM', 'DOMDebugger', 'DOMSnapshot', 'DOMStorage', 'Debugger',
  'DeviceAccess', 'DeviceOrientation', 'DigitalCredentials', 'Emulation', 'EventBreakpoints', 'Extensions', 'FedCm', 'Fetch',
  'FileSystem', 'FindInPage', 'HeadlessExperimental', 'HeapProfiler', 'IO', 'IndexedDB', 'Input', 'Inspector', 'LayerTree',
  'Log', 'Media', 'Memory', 'Network', 'Overlay', 'PWA', 'Page', 'Performance', 'PerformanceTimeline', 'Preload', 'Profiler',
  'Runtime', 'Schema', 'Security', 'ServiceWorker', 'SmartCardEmulation', 'Storage', 'SystemInfo', 'Target', 'Tethering',
  'Tracing', 'WebAudio', 'WebAuthn', 'WebMCP',
];
