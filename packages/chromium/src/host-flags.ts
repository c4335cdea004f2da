/**
 * The Chromium switches every browser Hangar starts carries, whoever starts it (the browser-node,
 * and the benchmark's plain `puppeteer.launch` baseline, so the two compare like with like).
 */
export const CHROMIUM_HOST_FLAGS = [
  // No `--no-sandbox` here: the browser-node runs each browser as a user of its own with
  // Chromium's sandbox on wherever the kernel allows it, and adds the switch only where it does
  // not (apps/browser-node/src/isolation). A root baseline adds it itself.
  '--disable-gpu',
  // /dev/shm is 64 MiB in a default container; Chromium crashes tabs when it fills.
  '--disable-dev-shm-usage',
  // Closed or metered networks: no background fetches, component updates, sync or first-run UI.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  // QUIC would bypass the HTTP proxies a session may be given.
  '--disable-quic',
  // Headless Chromium still starts the omnibox popup's WebUI renderer (a top-chrome renderer
  // nobody can see, ~40 MiB and a burst of CPU at every launch), and keeps a spare renderer
  // process ready for the next navigation (~20 MiB per idle browser). Measured on Chromium 156:
  // 9 → 7 processes and 183 → 126 MiB PSS per idle browser.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,SpareRendererForSitePerProcess',
] as const;
