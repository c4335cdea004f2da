import { startStack } from '/work/main/packages/stack/dist/index.js';
import { startLocalSite } from '/work/main/packages/stack/dist/bench/local-site.js';
import puppeteer from '/work/main/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os'; import path from 'node:path';
const site = await startLocalSite();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hangar-exp-'));
const lines = [];
const stack = await startStack({ dataDir, port: 0, concurrency: 32, nodes: 1, logLevel: 'debug', env: {}, log: (l) => lines.push(l) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const h = { 'x-bb-api-key': stack.apiKey, 'content-type': 'application/json' };
await sleep(4000);
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  const session = await (await fetch(`${stack.apiUrl}/v1/sessions`, { method: 'POST', headers: h, body: JSON.stringify({ keepAlive: true }) })).json();
  const t1 = performance.now();
  const b = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
  const t2 = performance.now();
  const [page] = await b.pages();
  const t3 = performance.now();
  await page.goto(site.url);
  const t4 = performance.now();
  await fetch(`${stack.apiUrl}/v1/sessions/${session.id}`, { method: 'POST', headers: h, body: JSON.stringify({ status: 'REQUEST_RELEASE' }) });
  const t5 = performance.now();
  await b.disconnect();
  console.log(`create ${(t1-t0).toFixed(1)} connect ${(t2-t1).toFixed(1)} pages ${(t3-t2).toFixed(1)} goto ${(t4-t3).toFixed(1)} release ${(t5-t4).toFixed(1)}`);
  await sleep(4000);
}
await stack.stop(); await site.close();
for (const l of lines) if (/client connected|release requested|release timing|session end timing/.test(l)) { const j = JSON.parse(l.slice(l.indexOf('{'))); console.log(l.slice(0, l.indexOf(' ')), j.msg, j.resolveMs ?? '', j.readMs ?? '', j.commandMs ?? '', j.requestMs ?? '', j.stopMs ?? '', j.recordMs ?? ''); }
