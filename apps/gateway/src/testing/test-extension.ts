import { makeZip, MV3_MANIFEST } from '@hangar/testing';
import type { ApiResponse } from './http-client.js';

type Call = (method: string, path: string, options?: { rawBody?: Buffer; headers?: Record<string, string> }) => Promise<ApiResponse>;

/** Uploads a minimal valid MV3 extension through `POST /v1/extensions` and returns its id: a session test's `extensionId`. */
export async function uploadTestExtension(call: Call): Promise<string> {
  const boundary = 'hangar-test-extension';
  const zip = makeZip([{ name: 'manifest.json', data: MV3_MANIFEST }]);
  const rawBody = Buffer.concat([Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="test-extension.zip"\r\n\r\n`), zip, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await call('POST', '/v1/extensions', { rawBody, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  if (res.status !== 200) throw new Error(`extension upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}
