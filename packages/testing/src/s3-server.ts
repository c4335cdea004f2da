import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tempDir } from './infra.js';
import { own } from './ownership.js';

export interface TestS3 {
  /** `http://127.0.0.1:<port>`: path-style S3 on loopback. */
  readonly endpoint: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; region: string };
  stop(): Promise<void>;
}

/**
 * A real S3-speaking HTTP server (s3rver, objects on disk in a temp dir) in a process of its
 * own on a free loopback port. Its folder is in its command line, which marks it as this test
 * run's (jest/global-teardown.mjs kills any left).
 */
export function startTestS3(dir = tempDir('hangar-s3-')): Promise<TestS3> {
  return own(`s3rver in ${dir}`, startingTestS3(dir));
}

async function startingTestS3(dir: string): Promise<TestS3> {
  const s3rver = createRequire(import.meta.url).resolve('s3rver');
  const script = `
    const S3rver = require(${JSON.stringify(s3rver)});
    new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1] })
      .run()
      .then((a) => console.log('listening ' + a.port), (e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script, path.join(dir, 'objects')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${output.trim()}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // s3rver's fixed credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
