import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, processesMatching } from '@hangar/chromium';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Live processes whose command line contains `marker`. */
const running = (marker: string): string[] => processesMatching(marker).flatMap((pid) => commandLine(pid) ?? []);

/**
 * The repository's jest setup run on two fixture files that misbehave on purpose
 * (test-fixtures/): one whose beforeAll times out while NATS and Postgres are still starting,
 * one that starts a process and forgets it.
 */
describe('a test run owns its processes', () => {
  let output = '';
  let code: number | null = null;
  const sleepFor = `600.${process.pid}`;
  beforeAll(async () => {
    const jest = spawn(
      process.execPath,
      ['--experimental-vm-modules', '--no-warnings', 'node_modules/jest/bin/jest.js', '--config', 'packages/testing/test-fixtures/jest.config.mjs', '--ci'],
      { cwd: ROOT, env: { ...process.env, HANGAR_FIXTURE_SLEEP: sleepFor }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [jest.stdout, jest.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    code = await new Promise((resolve) => jest.once('exit', resolve));
  });

  it('stops what a beforeAll that timed out was still starting, once it is up', () => {
    const stopped = /setup-times-out\.fixture\.ts: stopped what its hooks left running: (.*)/.exec(output)?.[1] ?? '';
    expect(stopped).toMatch(/Postgres in \S+/);
    expect(stopped).toMatch(/nats-server in \S+/);
    for (const dir of stopped.match(/\/\S+?(?=,|$)/g) ?? []) expect(running(dir)).toEqual([]);
  });

  it('kills a process of the run nobody stopped, lists it and fails the run', () => {
    expect(output).toMatch(/the run left 1 process\(es\) running; killed them:\n\s+\d+ sleep 600\.\d+/);
    expect(running(`sleep ${sleepFor}`)).toEqual([]);
    expect(code).not.toBe(0);
  });
});
