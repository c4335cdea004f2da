// Run by tests/e2e/stagehand.e2e.spec.ts under Node 22 (Stagehand 4 needs >= 22.18): Stagehand's own
// Browserbase launch against Hangar, as a user would write it, with no model configured or called.
// In: BROWSERBASE_API_KEY, BROWSERBASE_BASE_URL (Hangar's API origin), SITE_URL. Out: one JSON line.
import { browserbase, Stagehand } from '@browserbasehq/stagehand';

const { BROWSERBASE_API_KEY: apiKey, BROWSERBASE_BASE_URL: baseUrl, SITE_URL: siteUrl } = process.env;
if (!apiKey || !baseUrl || !siteUrl) throw new Error('BROWSERBASE_API_KEY, BROWSERBASE_BASE_URL and SITE_URL are required');

const browser = await browserbase.launch({ apiKey, baseUrl });
try {
  // Attaches Stagehand (its extension's runtime) to the browser; no model: act/extract/observe are not called.
  await Stagehand.create({ browser, logging: { level: 'error' } });
  const [page] = await browser.context.pages();
  await page.goto(siteUrl);
  const title = await page.title();
  console.log(JSON.stringify({ sessionId: browser.sessionId, title }));
} finally {
  await browser.close();
}
