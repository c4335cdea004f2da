import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Browserbase from '@browserbasehq/sdk';
import puppeteer from 'puppeteer-core';
import { subjects } from '@hangar/contracts';
import { startTestS3, type TestS3 } from '@hangar/testing';
import { eventually, startTestStack, type TestStack } from './harness.js';

/*
 * What a session leaves behind, through the official SDK, with each cross-host artifact store a
 * deployment can choose (the fs one is every other e2e spec's): the JetStream Object Store of the
 * stack's own NATS (compose's and k8s's default) and S3 (a real S3-speaking server, s3rver).
 * After the end, the node's folders are gone: the answers come from the store alone.
 */
const stores: [string, () => Promise<{ env: Record<string, string>; stop(): Promise<void> }>][] = [
  ['the JetStream Object Store', async () => ({ env: { HANGAR_ARTIFACT_STORE: 'nats', HANGAR_ARTIFACT_BUCKET: 'e2e-artifacts' }, stop: async () => undefined })],
  [
    'S3 (s3rver)',
    async () => {
      const s3: TestS3 = await startTestS3();
      return {
        env: {
          HANGAR_ARTIFACT_STORE: 's3',
          HANGAR_ARTIFACT_BUCKET: 'e2e-artifacts',
          HANGAR_S3_ENDPOINT: s3.endpoint,
          HANGAR_S3_REGION: s3.credentials.region,
          HANGAR_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          HANGAR_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
          HANGAR_S3_KEY_PREFIX: 'hangar/',
        },
        stop: () => s3.stop(),
      };
    },
  ],
];

describe.each(stores)('session artifacts in %s', (_name, openStore) => {
  let t: TestStack;
  let bb: Browserbase;
  let site: http.Server;
  let siteUrl: string;
  let store: { env: Record<string, string>; stop(): Promise<void> };

  beforeAll(async () => {
    site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>artifacts</title><h1 id=h>kept</h1>');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    store = await openStore();
    const env = store.env;
    t = await startTestStack({ env: { gateway: env, projector: { ...env, HANGAR_ARCHIVE_WAIT_MS: '5000' }, 'browser-node': env } });
    bb = new Browserbase({ apiKey: t.stack.apiKey, baseURL: t.stack.apiUrl, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.stop();
    await store?.stop();
    await new Promise((r) => site?.close(r));
  });

  it('serves the logs and the recording of an ended session from the store', async () => {
    const created = await bb.sessions.create({ projectId: t.stack.projectId });
    const browser = await puppeteer.connect({ browserWSEndpoint: created.connectUrl });
    const [page] = await browser.pages();
    await page!.goto(siteUrl);
    await page!.waitForSelector('#h');
    await new Promise((r) => setTimeout(r, 1_500));
    await browser.disconnect();
    await bb.sessions.update(created.id, { status: 'REQUEST_RELEASE', projectId: t.stack.projectId });

    const stored = await eventually(
      async () => (await t.stack.store.read(subjects.sessionEvents(created.id))).flatMap(({ event }) => (event.type === 'SessionArtifactStored' ? [event.data] : [])),
      (artifacts) => ['logs', 'recording'].every((kind) => artifacts.some((a) => a.kind === kind)),
      30_000,
      250,
    );
    for (const artifact of stored) expect(artifact).toMatchObject({ bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const logs = await bb.sessions.logs.list(created.id);
    expect(logs.some((entry) => entry.method === 'Page.navigate' && JSON.stringify(entry.request?.params).includes(siteUrl))).toBe(true);
    const recording = await bb.sessions.recording.retrieve(created.id);
    // rrweb type 2 is a full snapshot: the page as it was drawn, heading included.
    const snapshot = recording.find((event) => event.type === 2);
    expect(JSON.stringify(snapshot?.data)).toContain('kept');
    expect(recording.map((e) => e.timestamp)).toEqual([...recording.map((e) => e.timestamp)].sort((a, b) => a - b));
  });
});
