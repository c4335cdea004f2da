import { createHash, randomBytes } from 'node:crypto';
import { unzip } from '@hangar/testing';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase, { toFile } from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { api, eventually, startTestStack, type TestStack } from './harness.js';

/*
 * Downloads and uploads end to end with the official SDK: a page's download comes back in
 * `downloads.list`'s zip while the session runs and after it ended (from the artifact store), an
 * `uploads.create`'d file is taken by the page's file input through the session's connectUrl, and
 * the refusals: 401, 404 (unknown, another project's), 410 (ended), 400 (no `file`), 413 (past
 * HANGAR_UPLOAD_MAX_BYTES, read by the client every time, not a reset).
 */
const UPLOAD_MAX = 256 * 1024;
const BODY_LIMIT = 16 * 1024;
const DOWNLOAD = randomBytes(300 * 1024);

/** A multipart upload over plain node http, the way a script would send one; the answer as read. */
function postMultipart(url: string, apiKey: string, fileBytes: number): Promise<{ status: number; body: string } | { error: string }> {
  const boundary = 'hangar-e2e-boundary';
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { 'x-bb-api-key': apiKey, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + fileBytes + tail.length } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ error: String(e) }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? String(e) }));
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sent = 0;
    req.write(head);
    const pump = () => {
      while (sent < fileBytes) {
        const n = Math.min(chunk.length, fileBytes - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

describe('session files through the gateway', () => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      if (req.url === '/data.bin') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="data.bin"' }).end(DOWNLOAD);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>files</title><input type="file" id="f"><a id="d" href="/data.bin">download</a>');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const limits = { HANGAR_UPLOAD_MAX_BYTES: String(UPLOAD_MAX) };
    // The JSON body limit below the upload cap: an upload is not held to it (multipart.parser.ts).
    t = await startTestStack({ concurrency: 4, env: { gateway: { ...limits, HANGAR_BODY_LIMIT_BYTES: String(BODY_LIMIT) }, 'browser-node': limits } });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => site?.close(r));
  });

  const zipOf = async (id: string) => {
    const res = await bb.sessions.downloads.list(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    return { source: res.headers.get('x-hangar-downloads'), entries: await unzip(Buffer.from(await res.arrayBuffer())) };
  };

  it('downloads.list: an empty zip, then what the page downloaded, during the session and after its end', async () => {
    const session = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    expect(await zipOf(session.id)).toEqual({ source: 'node', entries: new Map() });

    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    const page = (await browser.pages())[0]!;
    await page.goto(`${siteUrl}/`);
    await page.click('#d');
    const during = await eventually(() => zipOf(session.id), (z) => z.entries.has('data.bin'), 15_000);
    expect(during.source).toBe('node');
    expect([...during.entries.keys()]).toEqual(['data.bin']);
    expect(during.entries.get('data.bin')!.equals(DOWNLOAD)).toBe(true);
    await browser.disconnect();

    await bb.sessions.update(session.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });
    const after = await zipOf(session.id);
    expect(after.source).toBe('artifact');
    expect(after.entries.get('data.bin')!.equals(DOWNLOAD)).toBe(true);
  });

  it('uploads.create: the path it names is taken by the page’s file input, whose bytes the page reads', async () => {
    const session = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const answer = await bb.sessions.uploads.create(session.id, { file: await toFile(Buffer.from('bytes from the SDK'), '../../etc/evil name.txt') });
    const file = /(\/\S*\/uploads\/evil name\.txt)/.exec(answer.message)?.[1];
    expect(file).toBeDefined();

    const browser = await puppeteer.connect({ browserWSEndpoint: session.connectUrl });
    const page = (await browser.pages())[0]!;
    await page.goto(`${siteUrl}/`);
    const input = await page.$('input#f');
    await input!.uploadFile(file!);
    expect(await page.$eval('input#f', (el) => el.files![0]!.text())).toBe('bytes from the SDK');
    expect(await page.$eval('input#f', (el) => el.files![0]!.name)).toBe('evil name.txt');

    // Past the JSON body limit, within the upload cap: streamed through, byte for byte.
    const big = randomBytes(200 * 1024);
    const second = await bb.sessions.uploads.create(session.id, { file: await toFile(big, 'big.bin') });
    await input!.uploadFile(/(\/\S*\/uploads\/big\.bin)/.exec(second.message)![1]!);
    const seen = await page.$eval('input#f', async (el) => {
      const bytes = new Uint8Array(await el.files![0]!.arrayBuffer());
      return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
    });
    expect(seen).toBe(createHash('sha256').update(big).digest('hex'));
    await browser.disconnect();
    await bb.sessions.update(session.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });
  });

  it('refusals: 401, 404 (unknown, another project’s), 400 without file, 413 past the cap every time, 410 once ended', async () => {
    const session = await bb.sessions.create({ projectId: t.stack.projectId, keepAlive: true });
    const file = async () => toFile(Buffer.from('x'), 'x.txt');

    const keyless = new Browserbase({ apiKey: 'not-a-key', baseURL: t.stack.apiUrl, maxRetries: 0 });
    await expect(keyless.sessions.downloads.list(session.id)).rejects.toMatchObject({ status: 401 });
    await expect(keyless.sessions.uploads.create(session.id, { file: await file() })).rejects.toMatchObject({ status: 401 });

    const other = await t.stack.seedProject({ concurrency: 1, name: 'Other files' });
    const stranger = new Browserbase({ apiKey: other.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
    await expect(stranger.sessions.downloads.list(session.id)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.sessions.uploads.create(session.id, { file: await file() })).rejects.toMatchObject({ status: 404 });
    await expect(bb.sessions.downloads.list('no-such-session')).rejects.toMatchObject({ status: 404 });
    await expect(bb.sessions.uploads.create('no-such-session', { file: await file() })).rejects.toMatchObject({ status: 404 });

    const form = new FormData();
    form.append('other', 'value');
    const missing = await fetch(`${t.stack.apiUrl}/v1/sessions/${session.id}/uploads`, { method: 'POST', headers: { 'x-bb-api-key': t.stack.apiKey }, body: form });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toMatch(/file/);
    const json = await api(t.stack, 'POST', `/v1/sessions/${session.id}/uploads`, { file: 'not multipart' });
    expect(json.status).toBe(400);

    // Well past the cap, over plain http: the client reads the 413 and its message, every time.
    for (let i = 0; i < 5; i++) {
      for (const bytes of [UPLOAD_MAX + 1, 20 * UPLOAD_MAX]) {
        const big = await postMultipart(`${t.stack.apiUrl}/v1/sessions/${session.id}/uploads`, t.stack.apiKey, bytes);
        expect(big).toMatchObject({ status: 413, body: expect.stringContaining(`${UPLOAD_MAX} bytes`) });
      }
    }
    await expect(bb.sessions.uploads.create(session.id, { file: await toFile(Buffer.alloc(UPLOAD_MAX + 10), 'big.bin') })).rejects.toMatchObject({ status: 413 });
    // A JSON body far past HANGAR_BODY_LIMIT_BYTES through the SDK: a 413 naming the limit, each time.
    for (const bytes of [5 * 1024 * 1024, 50 * 1024 * 1024]) {
      for (let i = 0; i < 3; i++) {
        await expect(bb.sessions.create({ projectId: t.stack.projectId, userMetadata: { pad: 'x'.repeat(bytes) } })).rejects.toMatchObject({
          status: 413,
          message: expect.stringContaining(`${BODY_LIMIT} bytes`),
        });
      }
    }
    // Nothing of the refused files stays in the uploads folder: the next upload is the only file.
    const ok = await bb.sessions.uploads.create(session.id, { file: await file() });
    expect(ok.message).toMatch(/\/uploads\/x\.txt/);
    const uploads = /(\/\S*\/uploads)\/x\.txt/.exec(ok.message)![1]!;
    expect(readdirSync(uploads)).toEqual(['x.txt']);

    await bb.sessions.update(session.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });
    await expect(bb.sessions.uploads.create(session.id, { file: await file() })).rejects.toMatchObject({ status: 410 });
    // Ended without downloads: the stored zip is a valid empty one.
    expect((await zipOf(session.id)).entries.size).toBe(0);
  });
});
