import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devtoolsAddress, userDataDir } from './devtools-address.js';
import { groupAlive, groupMembers, ownProcessGroup, signalGroup, waitGroupsGone } from './process-group.js';
import { groupPssBytes, pssBytes } from './process-memory.js';
import { processRunning, processStartTime, readStat } from './proc-stat.js';
import { commandLine, listProcesses, processArgs, processesMatching, processesOfUid, processesWithArgPrefix } from './processes.js';
import { SCHED_IDLE, SCHED_OTHER, threadPolicies } from './thread-scheduling.js';

// Real processes read through the real /proc: `sleep`s with a duration no other process has,
// each started detached (a process group of its own, as the node starts every Chromium).
const started: ChildProcess[] = [];
let seq = 0;
const marker = () => `600.${process.pid}${String(++seq).padStart(3, '0')}`;

function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  started.push(child);
  return child;
}

async function until(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterAll(async () => {
  for (const child of started) signalGroup(child.pid!, 'SIGKILL');
  await waitGroupsGone(started.map((c) => c.pid!), 5_000);
});

describe('the /proc readers, on real processes', () => {
  it('find a process by its command line, and read its arguments, stat and start time', async () => {
    const m = marker();
    const child = start('sleep', [m]);
    await until(() => processesMatching(m).length > 0);
    expect(processesMatching(m)).toEqual([child.pid]);
    expect(processArgs(child.pid!)).toEqual(['sleep', m]);
    expect(commandLine(child.pid!)).toBe(`sleep ${m} `);
    expect(readStat(child.pid!)).toMatchObject({ pid: child.pid, ppid: process.pid, pgrp: child.pid, comm: 'sleep', state: expect.stringMatching(/^[RS]$/) });
    expect(processStartTime(child.pid!)).toMatch(/^\d+$/);
    expect(listProcesses().find((p) => p.pid === child.pid)).toMatchObject({ pgrp: child.pid, args: ['sleep', m] });
    expect(processesWithArgPrefix(m.slice(0, -1)).map((p) => p.pid)).toEqual([child.pid]);
    expect(processesOfUid(process.getuid!())).toContain(child.pid);
    expect(processesMatching(m)).not.toContain(process.pid);
  });

  it('tell a detached group from this process group, and read its memory', async () => {
    const child = start('sleep', [marker()]);
    await until(() => readStat(child.pid!)?.comm === 'sleep');
    expect(ownProcessGroup()).toBe(readStat('self')!.pgrp);
    expect(ownProcessGroup()).not.toBe(child.pid);
    expect(pssBytes(child.pid!)).toBeGreaterThan(0);
    expect(groupPssBytes(child.pid!)).toBeGreaterThan(0);
    expect(pssBytes(5_000_000)).toBe(0);
  });

  it('take a whole group down: every member, the ones re-parented away included', async () => {
    const [a, b] = [marker(), marker()];
    // The shell starts one sleep in the background and becomes the other: two members of one
    // group, only one of them our child (as a Chromium's helpers are not the node's).
    const child = start('/bin/sh', ['-c', `sleep ${a} & exec sleep ${b}`]);
    // Until both are sleeps: before its exec, a fork's command line is the shell's, both markers in it.
    const sleeps = () => groupMembers(child.pid!).filter((pid) => readStat(pid)?.comm === 'sleep');
    await until(() => sleeps().length === 2 && groupMembers(child.pid!).length === 2);
    expect(groupMembers(child.pid!).sort()).toEqual([...processesMatching(a), ...processesMatching(b)].sort());
    expect(processesMatching(b)).toEqual([child.pid]);
    expect(groupAlive(child.pid!)).toBe(true);
    const startTime = processStartTime(child.pid!);

    signalGroup(child.pid!, 'SIGKILL');
    expect(await waitGroupsGone([child.pid!], 5_000)).toBe(true);
    expect(groupAlive(child.pid!)).toBe(false);
    expect(groupMembers(child.pid!)).toEqual([]);
    expect(processRunning(child.pid!)).toBe(false);
    expect(processesMatching(a)).toEqual([]);
    // A pid reused meanwhile would have another start time; this one is gone or a zombie.
    expect([undefined, startTime]).toContain(processStartTime(child.pid!));
    // A group already gone is no error.
    expect(() => signalGroup(child.pid!, 'SIGKILL')).not.toThrow();
  });

  it('give up on a group that outlives the timeout', async () => {
    const child = start('sleep', [marker()]);
    await until(() => groupMembers(child.pid!).length === 1);
    expect(await waitGroupsGone([child.pid!], 50)).toBe(false);
  });

  it('read each thread’s scheduling policy', async () => {
    const normal = start('sleep', [marker()]);
    const idle = start('chrt', ['--idle', '0', 'sleep', marker()]);
    await until(() => readStat(normal.pid!)?.comm === 'sleep' && readStat(idle.pid!)?.comm === 'sleep');
    expect(threadPolicies(normal.pid!)).toEqual([SCHED_OTHER]);
    expect(threadPolicies(idle.pid!)).toEqual([SCHED_IDLE]);
    expect(threadPolicies(5_000_000)).toEqual([]);
  });
});

describe("a Chromium's profile dir and DevTools address, from its command line", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-chromium-spec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('read from the browser process, whose arguments stay apart (a dir with a space too)', async () => {
    const profile = path.join(dir, 'my profile');
    const child = start(process.execPath, ['-e', 'setTimeout(() => {}, 600_000)', '--', `--user-data-dir=${profile}`]);
    await until(() => userDataDir(child.pid!) !== undefined);
    expect(userDataDir(child.pid!)).toBe(profile);
    // What Chromium writes once DevTools listens.
    mkdirSync(profile);
    writeFileSync(path.join(profile, 'DevToolsActivePort'), '41234\n/devtools/browser/5c1f\n');
    expect(devtoolsAddress(child.pid!)).toBe('ws://127.0.0.1:41234/devtools/browser/5c1f');
  });

  it('read from a helper that rewrote its command line into one string (setproctitle)', async () => {
    const profile = path.join(dir, 'helper');
    const child = start('bash', ['-c', `exec -a "chromium --type=renderer --user-data-dir=${profile} --lang=en" sleep ${marker()}`]);
    // Until bash has replaced itself: its own command line names the dir too.
    await until(() => readStat(child.pid!)?.comm === 'sleep');
    expect(processArgs(child.pid!)![0]).toContain(' --user-data-dir=');
    expect(userDataDir(child.pid!)).toBe(profile);
  });

  it('say so when a process has no profile dir', async () => {
    const child = start('sleep', [marker()]);
    await until(() => readStat(child.pid!)?.comm === 'sleep');
    expect(userDataDir(child.pid!)).toBeUndefined();
    expect(() => devtoolsAddress(child.pid!)).toThrow(/no --user-data-dir/);
  });
});
