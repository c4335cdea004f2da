import { isRunning, parseStat, processRunning, readStat } from './proc-stat.js';
import { SCHED_OTHER } from './thread-scheduling.js';

// A stat line as the kernel writes it (proc(5)), for a command named `a) (b c`: the name is
// the only field that may hold spaces and parentheses.
const line = (comm: string, state = 'S') =>
  `4242 (${comm}) ${state} 17 4240 4240 0 -1 4194560 120 0 0 0 31 9 0 0 20 0 3 0 987654 1000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 5 0 0 0 0 0 0 0 0 0 0 0\n`;

describe('parseStat', () => {
  it('reads the fields after the command name, whatever the name holds', () => {
    expect(parseStat(line('a) (b c'))).toEqual({ pid: 4242, comm: 'a) (b c', state: 'S', ppid: 17, pgrp: 4240, cpuTicks: 40, startTime: '987654', policy: 5 });
  });

  it('takes a name that is all spaces and parentheses', () => {
    expect(parseStat(line(') ) ('))).toMatchObject({ comm: ') ) (', ppid: 17, pgrp: 4240 });
  });

  it('refuses text that is no stat line rather than guessing', () => {
    expect(() => parseStat('no parentheses here')).toThrow(/not a \/proc stat line/);
  });

  it('counts zombies and dead processes as not running', () => {
    expect(isRunning(parseStat(line('x', 'R')))).toBe(true);
    expect(isRunning(parseStat(line('x', 'Z')))).toBe(false);
    expect(isRunning(parseStat(line('x', 'X')))).toBe(false);
    expect(isRunning(undefined)).toBe(false);
  });
});

describe('readStat on the real /proc', () => {
  it('reads this process, by pid and as self', () => {
    const byPid = readStat(process.pid);
    expect(byPid).toMatchObject({ pid: process.pid, ppid: process.ppid, comm: expect.any(String) });
    expect(readStat('self')).toMatchObject({ pid: process.pid, pgrp: byPid!.pgrp, startTime: byPid!.startTime });
    expect(processRunning(process.pid)).toBe(true);
  });

  it('reads one thread: the main thread has the pid as its tid, at normal scheduling', () => {
    expect(readStat(process.pid, process.pid)).toMatchObject({ pid: process.pid, policy: SCHED_OTHER });
  });

  it('answers undefined for a pid that is not there', () => {
    // Above the kernel's pid_max (4194304 at most): never a process.
    expect(readStat(5_000_000)).toBeUndefined();
    expect(processRunning(5_000_000)).toBe(false);
  });
});
