import { z } from 'zod';

/** One page's view URLs. `readOnlyDebuggerFullscreenUrl` is Hangar's: the same viewer, view-only. */
const pageUrlsSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  title: z.string(),
  faviconUrl: z.string(),
  debuggerUrl: z.url(),
  debuggerFullscreenUrl: z.url(),
  readOnlyDebuggerFullscreenUrl: z.url(),
});

/**
 * `GET /v1/sessions/:id/debug`: Browserbase's SessionLiveURLs (the SDK's `sessions.debug`), its
 * top-level URLs those of the first page, plus the view-only viewer. The one definition of the
 * answer: the controller's type and the OpenAPI component come from it.
 */
export const liveUrlsSchema = z.strictObject({
  debuggerFullscreenUrl: z.url(),
  debuggerUrl: z.url(),
  wsUrl: z.url(),
  readOnlyDebuggerFullscreenUrl: z.url(),
  pages: z.array(pageUrlsSchema),
});
export type LiveUrls = z.infer<typeof liveUrlsSchema>;
