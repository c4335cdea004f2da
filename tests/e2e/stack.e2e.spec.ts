import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { commandLine, listPids, readStat } from '@hangar/chromium';
import { chromiumProcesses, eventually, processAlive, tempDir } from '@hangar/testing';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packages/stack/dist/cli.js');

/** Processes whose parent is `ppid`, with their command lines. */
function children(ppid: number): { pid: number; cmd: string }[] {
  return listPids().flatMap((pid) => {
    const cmd = readStat(pid)?.ppid === ppid ? commandLine(pid) : undefined;
    return cmd === undefined ? [] : [{ pid, cmd }];
  });
}

describe('npm start, killed with SIGKILL', () => {
  it('takes its services and their browsers down with it', async () => {
    const dataDir = tempDir('hangar-e2e-');
    const cli = spawn(process.execPath, [CLI, 'start'], {
      // The runtime dir inside the (0711) temp dir: the browsers' folders are found under it.
      env: { ...process.env, HANGAR_PORT: '0', HANGAR_DATA_DIR: dataDir, HANGAR_RUNTIME_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let servers: { pid: number; cmd: string }[] = [];
    try {
      const printed: string[] = [];
      const { apiUrl, apiKey } = await new Promise<{ apiUrl: string; apiKey: string }>((resolve, reject) => {
        const lines = createInterface({ input: cli.stdout! });
        lines.on('line', (line) => {
          printed.push(line);
          const text = printed.join('\n');
          const url = /API URL:\s+(\S+)/.exec(text)?.[1];
          const key = /API key:\s+(\S+)/.exec(text)?.[1];
          if (url && key) resolve({ apiUrl: url, apiKey: key });
        });
        cli.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${printed.join('\n')}`)));
      });
      const res = await fetch(`${apiUrl}/v1/sessions`, {
        method: 'POST',
        headers: { 'x-bb-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ keepAlive: true }),
      });
      expect(res.status).toBe(201);
      servers = children(cli.pid!);
      const services = servers.filter((s) => /apps\/[a-z-]+\/dist\/main\.js/.test(s.cmd));
      expect(services.map((s) => /apps\/([a-z-]+)\//.exec(s.cmd)![1]).sort()).toEqual(['browser-node', 'gateway', 'projector', 'scheduler']);
      expect(chromiumProcesses(dataDir).length).toBeGreaterThan(0);

      cli.kill('SIGKILL');
      // Every service notices its launcher is gone and shuts down; the node kills its browsers.
      await eventually(() => services.filter((s) => processAlive(s.pid)), (left) => left.length === 0, 20_000);
      await eventually(() => chromiumProcesses(dataDir), (pids) => pids.length === 0, 10_000);
    } finally {
      if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
      // NATS and Postgres outlive it (the next start on the data dir stops them): here, now.
      for (const { pid } of servers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
      for (const pid of chromiumProcesses(dataDir)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  });
});
