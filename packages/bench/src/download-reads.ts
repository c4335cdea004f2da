import { execFileSync, fork } from 'node:child_process';
import { createReadStream, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForQuiet } from './quiet-machine.js';
import { since, summarize } from './stats.js';

/**
 * (7)'s timed reads of 100 MB, in a client process of their own, forked for them: a user's
 * download client is its own small process, and the bench's is not small. After the rows before
 * it, the bench process (hundreds of puppeteer sessions, its stack's NATS client) read 100 MB
 * over one loopback hop in ~170 ms where a fresh process took 55–90 ms on the same machine at the
 * same time; the figure was the harness's, not Hangar's. Every read here is preceded, off the
 * clock, by a wait for a quiet machine, as every paced figure is.
 */
export interface ReadsSpec {
  rounds: number;
  /** Each file of this folder read from disk (the floor a zip of them is held to). */
  folder?: string;
  /** GET this URL with this API key: a first read, then `rounds` more. */
  url?: string;
  apiKey?: string;
  /** That many bytes from memory over one loopback HTTP hop (this process serves and reads them). */
  loopbackBytes?: number;
  /** The disk read and the GET again, `rounds` times each, with the page cache dropped before each (root only). */
  cold?: boolean;
}

export interface ReadsResult {
  /** Medians of `rounds`. */
  diskMs?: number;
  loopbackMs?: number;
  /** The first GET (the first 100 MB through the services' code since their start, for the first session), then the median of the rest. */
  getFirstMs?: number;
  getMs?: number;
  getBytes?: number;
  /** With `cold`: the same reads from the disk itself, the page cache dropped before each; absent where it cannot be dropped. */
  diskColdMs?: number;
  getColdMs?: number;
}

const quiet = () => waitForQuiet({ timeoutMs: 5_000 });

/**
 * Writes dirty pages out and drops the clean page cache (`vm.drop_caches` 1: the kernel's own
 * knob, root only), so the next read of the files comes from the disk, as the goal's baseline
 * says; pages mapped by a running process (the services' code) stay. False where it is not allowed.
 */
function dropPageCache(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}

async function medianOf(rounds: number, once: () => Promise<number>, before?: () => void): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    before?.();
    await quiet();
    samples.push(await once());
  }
  return summarize(samples).p50;
}

async function readFolderMs(folder: string): Promise<number> {
  const t0 = performance.now();
  for (const name of readdirSync(folder)) {
    await new Promise<void>((resolve, reject) => {
      const s = createReadStream(path.join(folder, name), { highWaterMark: 1 << 20 });
      s.on('data', () => undefined).once('end', () => resolve()).once('error', reject);
    });
  }
  return since(t0);
}

/** A GET whose body is counted, not kept, over node:http (undici's web streams add about a quarter to a 100 MB read). */
function timedGet(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: since(t0) }));
        res.once('error', reject);
      })
      .once('error', reject);
  });
}

/** `bytes` from memory to a node:http client over loopback, in 1 MiB writes: what one HTTP hop costs this machine, with no disk and no zip. */
async function loopbackFloorMs(bytes: number, rounds: number): Promise<number> {
  const block = Buffer.alloc(1 << 20, 7);
  const server = http.createServer((_, res) => {
    let left = bytes;
    const write = () => {
      while (left > 0) {
        const part = left >= block.length ? block : block.subarray(0, left);
        left -= part.length;
        if (!res.write(part)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await medianOf(rounds, async () => (await timedGet(`http://127.0.0.1:${port}/`, {})).ms);
  } finally {
    server.close();
  }
}

export async function runReads(spec: ReadsSpec): Promise<ReadsResult> {
  const out: ReadsResult = {};
  const readFolder = () => readFolderMs(spec.folder!);
  const headers = { 'x-bb-api-key': spec.apiKey ?? '' };
  const get = async () => {
    const answer = await timedGet(spec.url!, headers);
    if (answer.status !== 200) throw new Error(`GET ${spec.url} answered ${answer.status}`);
    out.getBytes = answer.bytes;
    return answer.ms;
  };
  if (spec.folder) out.diskMs = await medianOf(spec.rounds, readFolder);
  if (spec.url) {
    await quiet();
    out.getFirstMs = await get();
    out.getMs = await medianOf(spec.rounds, get);
  }
  if (spec.cold && dropPageCache()) {
    if (spec.folder) out.diskColdMs = await medianOf(spec.rounds, readFolder, dropPageCache);
    if (spec.url) out.getColdMs = await medianOf(spec.rounds, get, dropPageCache);
  }
  if (spec.loopbackBytes) out.loopbackMs = await loopbackFloorMs(spec.loopbackBytes, spec.rounds);
  return out;
}

const SELF = fileURLToPath(import.meta.url);

/** runReads in a fresh Node process, with the services' switches (packages/stack SERVICE_NODE_FLAGS). */
export function readsInChild(spec: ReadsSpec, nodeFlags: readonly string[]): Promise<ReadsResult> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, [JSON.stringify(spec)], { execArgv: [...nodeFlags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ReadsResult | undefined;
    let failure: string | undefined;
    child.on('message', (m: { result?: ReadsResult; error?: string }) => ((result = m.result), (failure = m.error)));
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the download reads failed (exit ${code}): ${failure ?? 'no answer'}`))));
  });
}

if (process.argv[1] === SELF && process.send) {
  runReads(JSON.parse(process.argv[2] ?? '{}') as ReadsSpec).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
  );
}
