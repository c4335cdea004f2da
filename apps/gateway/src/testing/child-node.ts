import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { own } from '@hangar/testing';

export interface ChildNode {
  pid: number;
  endpointFor(sessionId: string): string;
  /** SIGSTOP: the process keeps its sockets open and never answers again — a frozen or partitioned node. */
  freeze(): void;
  stop(): Promise<void>;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A `ws` echo server in /sessions/<id> shape, like fake-node.ts, but in its own process so it can be frozen. */
const SCRIPT = `
import { WebSocketServer } from 'ws';
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('listening', () => console.log(String(wss.address().port)));
wss.on('connection', (ws, req) => {
  const sessionId = (req.url ?? '').split('/').pop();
  ws.on('message', (data) => ws.send(sessionId + ':' + data.toString()));
});
`;

/** Owned by the test file: stopped at its end even when the hook that started it timed out. */
export function startChildNode(): Promise<ChildNode> {
  return own('a child-process fake node', startingChildNode());
}

async function startingChildNode(): Promise<ChildNode> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  return {
    pid: child.pid!,
    endpointFor: (sessionId) => `ws://127.0.0.1:${port}/sessions/${sessionId}`,
    freeze: () => process.kill(child.pid!, 'SIGSTOP'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
