// The four images: on the Node version the README promises for them, with an init as PID 1.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const apps = ['gateway', 'scheduler', 'projector', 'browser-node'];
const dockerfile = (app: string) => readFileSync(`apps/${app}/Dockerfile`, 'utf8');
const readme = readFileSync('README.md', 'utf8');

describe('images', () => {
  it('build and run on the Node LTS the README names for them', () => {
    const promised = /images run Node (\d+) \(`node:([\w.-]+)`\)/.exec(readme);
    expect(promised).not.toBeNull();
    for (const app of apps) {
      const bases = [...dockerfile(app).matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
      expect([app, bases]).toEqual([app, [`node:${promised![2]}`, `node:${promised![2]}`]]);
      expect(promised![2]).toMatch(new RegExp(`^${promised![1]}-`));
    }
  });

  it('start under dumb-init, which forwards signals (SIGUSR2 drains a node) and reaps orphans', () => {
    for (const app of apps) {
      const runtime = dockerfile(app).split(/^FROM /m).at(-1)!;
      expect([app, /apt-get install[^\n]*\bdumb-init\b/.test(runtime)]).toEqual([app, true]);
      expect([app, /^ENTRYPOINT \["dumb-init", "--"\]$/m.test(runtime)]).toEqual([app, true]);
    }
  });

  it("run node with the switches npm start gives the services, and this Node takes them", () => {
    const source = readFileSync('packages/stack/src/services.ts', 'utf8');
    const flags = JSON.parse(/SERVICE_NODE_FLAGS = (\[[^\]]*\])/.exec(source)![1]!.replace(/'/g, '"')) as string[];
    expect(flags).toContain('--no-memory-reducer');
    for (const app of apps) {
      const cmd = /^CMD (\[.*\])$/m.exec(dockerfile(app))?.[1];
      expect([app, JSON.parse(cmd ?? '[]')]).toEqual([app, ['node', ...flags, `apps/${app}/dist/main.js`]]);
    }
    // An unknown V8 switch makes node refuse to start ("bad option"): a Node upgrade that drops one shows here.
    const run = spawnSync(process.execPath, [...flags, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
  });

  it('keep development working on the oldest Node the README supports', () => {
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    const oldest = /runs on Node ([\d.]+)\+ \(`engines`/.exec(readme)?.[1];
    expect(engines).toBe(`>=${oldest}`);
  });
});
