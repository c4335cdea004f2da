import { confineToUploads } from './host-paths.js';
import { httpOnlyRefusal, navigationRefusal } from './navigation-urls.js';

/** The session's own folders: the only host paths a client may name. */
export interface GuardFolders {
  uploadsDir: string;
  downloadsDir: string;
}

export type Params = Record<string, unknown>;
export type Verdict = { ok: true; params?: Params } | { ok: false; why: string };

export interface GuardedEntry {
  /** A method (`DOM.setFileInputFiles`) or a whole domain (`Extensions.*`). */
  readonly name: string;
  /**
   * A substring every spelling of the name contains when written without `\u` escapes (the only
   * JSON escapes that can spell a letter or a dot): a message without any needle and without `\u`
   * cannot be a call of this entry, whatever else it holds.
   */
  readonly needle: string;
  /** What would reach the host without this entry (the README's table says the same). */
  readonly protects: string;
  /**
   * The protocol parameters it checks, as paths (`data.files`), for protocol-review.int.spec.ts.
   * None: the entry refuses every call, whatever its parameters.
   */
  readonly params?: readonly string[];
  readonly check: (params: Params, folders: GuardFolders) => Verdict;
}

const refuse =
  (why: string) =>
  (): Verdict => ({ ok: false, why });

const uploadsOnly = (params: Params, key: string, uploadsDir: string): Verdict => {
  if (params[key] === undefined) return { ok: true };
  const confined = confineToUploads(params[key], uploadsDir);
  return confined.ok ? { ok: true, params: { ...params, [key]: confined.paths } } : confined;
};

const withUrlCheck =
  (key: string, refusal: (url: unknown) => string | undefined, optional = false) =>
  (params: Params): Verdict => {
    if (optional && params[key] === undefined) return { ok: true };
    const why = refusal(params[key]);
    return why ? { ok: false, why } : { ok: true };
  };

/** Only the parameters the protocol defines, `downloadPath` always the session's downloads folder. */
const downloadsOnly =
  (keep: readonly string[]) =>
  (params: Params, { downloadsDir }: GuardFolders): Verdict => {
    const kept: Params = {};
    for (const key of keep) if (params[key] !== undefined) kept[key] = params[key];
    return { ok: true, params: { ...kept, downloadPath: downloadsDir } };
  };

/** Reviewed against Chromium 156's protocol; README.md says why each entry is here and how to review. */
export const GUARDED: readonly GuardedEntry[] = [
  {
    name: 'Extensions.*',
    needle: 'Extensions.',
    protects: 'loadUnpacked loads an extension from any host path; extensions arrive through /v1/extensions',
    check: refuse('extensions are installed through /v1/extensions'),
  },
  {
    // The one exception to the domain above (a method entry wins over its domain's): no parameters,
    // it lists the extensions the session was launched with. Stagehand 4 finds its own with it.
    name: 'Extensions.getExtensions',
    needle: 'getExtensions',
    protects: "nothing: it only lists the session's own extensions (from /v1/extensions); the rest of the domain stays refused",
    check: () => ({ ok: true }),
  },
  {
    name: 'PWA.*',
    needle: 'PWA.',
    protects: 'launchFilesInApp opens host files in an app; install fetches bundles from any URL',
    check: refuse('installed web apps are not available in a session'),
  },
  {
    name: 'Target.sendMessageToTarget',
    needle: 'sendMessageToTarget',
    protects: 'a message nested in a string would reach the target unchecked',
    check: refuse('nested messages are not checked; attach with flatten: true'),
  },
  {
    name: 'Target.exposeDevToolsProtocol',
    needle: 'exposeDevToolsProtocol',
    protects: "gives the page's own scripts a CDP channel to the browser that never passes here",
    check: refuse("it would give the page's scripts an unchecked CDP channel"),
  },
  {
    name: 'Target.setRemoteLocations',
    needle: 'setRemoteLocations',
    protects: 'makes the browser poll and attach to DevTools endpoints at any host:port (other browsers on this host)',
    check: refuse('remote target discovery is not available'),
  },
  {
    name: 'Target.openDevTools',
    needle: 'openDevTools',
    protects: 'opens a devtools:// front-end, a privileged local page (workspaces map host folders)',
    check: refuse('DevTools front-ends are not available'),
  },
  {
    name: 'DOM.setFileInputFiles',
    needle: 'setFileInputFiles',
    protects: 'attaches any host file to a form the page can then read and send',
    params: ['files'],
    check: (params, { uploadsDir }) => uploadsOnly(params, 'files', uploadsDir),
  },
  {
    name: 'Input.dispatchDragEvent',
    needle: 'dispatchDragEvent',
    protects: 'drops host files (data.files) onto the page',
    params: ['data.files'],
    check: (params, { uploadsDir }) => {
      const data = params.data;
      if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: true };
      const inner = uploadsOnly(data as Params, 'files', uploadsDir);
      if (!inner.ok || !inner.params) return inner;
      return { ok: true, params: { ...params, data: inner.params } };
    },
  },
  {
    name: 'Page.handleFileChooser',
    needle: 'handleFileChooser',
    protects: 'answers a file chooser with host files (gone from recent Chromium; kept for older builds)',
    params: ['files'],
    check: (params, { uploadsDir }) => uploadsOnly(params, 'files', uploadsDir),
  },
  {
    name: 'Browser.setDownloadBehavior',
    needle: 'setDownloadBehavior',
    protects: 'writes downloads into any host folder',
    // `behavior: 'default'` leaves Chromium's own choice: the profile's, inside the browser's home.
    params: ['downloadPath', 'behavior'],
    check: downloadsOnly(['behavior', 'browserContextId', 'eventsEnabled']),
  },
  {
    name: 'Page.setDownloadBehavior',
    needle: 'setDownloadBehavior',
    protects: 'the same, per page (deprecated)',
    params: ['downloadPath'],
    check: downloadsOnly(['behavior']),
  },
  {
    name: 'Network.loadNetworkResource',
    needle: 'loadNetworkResource',
    protects: 'reads file: URLs for DevTools (source maps) and hands back their content',
    params: ['url'],
    check: withUrlCheck('url', httpOnlyRefusal),
  },
  {
    name: 'Fetch.continueRequest',
    needle: 'continueRequest',
    protects: "rewrites an intercepted request's URL, unseen by the page",
    params: ['url'],
    check: withUrlCheck('url', httpOnlyRefusal, true),
  },
  {
    name: 'Page.navigate',
    needle: 'navigate',
    protects: 'a browser-initiated navigation may open file:, chrome:, view-source:file: …',
    params: ['url'],
    check: withUrlCheck('url', (url) => navigationRefusal(url)),
  },
  {
    name: 'Target.createTarget',
    needle: 'createTarget',
    protects: 'opens a new tab at any URL, local schemes included',
    params: ['url'],
    check: withUrlCheck('url', (url) => navigationRefusal(url, { emptyMeansBlank: true })),
  },
];

const byMethod = new Map(GUARDED.filter((e) => !e.name.endsWith('.*')).map((e) => [e.name, e]));
const byDomain = new Map(GUARDED.filter((e) => e.name.endsWith('.*')).map((e) => [e.name.slice(0, -2), e]));

/** The entry that governs `method`, if any. Chromium dispatches on the exact, case-sensitive name. */
export function guardFor(method: string): GuardedEntry | undefined {
  const dot = method.indexOf('.');
  return byMethod.get(method) ?? (dot > 0 ? byDomain.get(method.slice(0, dot)) : undefined);
}
