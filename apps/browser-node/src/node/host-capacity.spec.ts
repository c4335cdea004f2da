import { cpusFromCfs, cpusFromCpuMax, defaultMaxSessions, defaultWarmPoolSize, hostResources } from './host-capacity.js';

const GiB = 2 ** 30;

describe('defaultMaxSessions', () => {
  it('is bound by CPU on a 2-core machine with plenty of memory', () => {
    expect(defaultMaxSessions({ cpus: 2, memoryBytes: 24 * GiB })).toBe(8);
  });

  it('leaves room for the node itself in a 1 GiB container on a big host', () => {
    // The container's limit, not the host's 16 cores: four sessions of ~250 MiB would fill it alone.
    expect(defaultMaxSessions({ cpus: 16, memoryBytes: 1 * GiB })).toBe(1);
    expect(defaultMaxSessions({ cpus: 16, memoryBytes: 2 * GiB })).toBe(3);
  });

  it('follows a fractional CPU quota and never goes below one', () => {
    expect(defaultMaxSessions({ cpus: 0.5, memoryBytes: 24 * GiB })).toBe(2);
    expect(defaultMaxSessions({ cpus: 0.1, memoryBytes: 24 * GiB })).toBe(1);
    expect(defaultMaxSessions({ cpus: 4, memoryBytes: 256 * 2 ** 20 })).toBe(1);
  });
});

describe('defaultWarmPoolSize', () => {
  it('is one warm browser per CPU on a machine with memory to spare', () => {
    expect(defaultWarmPoolSize({ cpus: 2, memoryBytes: 24 * GiB }, 8)).toBe(2);
    expect(defaultWarmPoolSize({ cpus: 0.5, memoryBytes: 24 * GiB }, 2)).toBe(1);
  });

  it('never exceeds what the node could hand out, nor the memory left after the sessions', () => {
    expect(defaultWarmPoolSize({ cpus: 16, memoryBytes: 24 * GiB }, 1)).toBe(1);
    // 1 GiB: the one session's budget takes it all.
    expect(defaultWarmPoolSize({ cpus: 16, memoryBytes: 1 * GiB }, 1)).toBe(0);
    // 3 GiB, 4 sessions budgeted: 512 MiB left, two warm browsers.
    expect(defaultWarmPoolSize({ cpus: 16, memoryBytes: 3 * GiB }, 4)).toBe(2);
    // More sessions configured than the memory budget covers.
    expect(defaultWarmPoolSize({ cpus: 2, memoryBytes: 2 * GiB }, 10)).toBe(0);
  });
});

describe('cgroup CPU quota', () => {
  it('reads cgroup v2 cpu.max', () => {
    expect(cpusFromCpuMax('200000 100000\n')).toBe(2);
    expect(cpusFromCpuMax('50000 100000')).toBe(0.5);
    expect(cpusFromCpuMax('max 100000\n')).toBeUndefined();
  });

  it('reads cgroup v1 cfs quota and period', () => {
    expect(cpusFromCfs('150000\n', '100000\n')).toBe(1.5);
    expect(cpusFromCfs('-1\n', '100000\n')).toBeUndefined();
  });
});

describe('hostResources', () => {
  it('reports what this machine offers, at least one CPU and some memory', () => {
    const { cpus, memoryBytes } = hostResources();
    expect(cpus).toBeGreaterThan(0);
    expect(memoryBytes).toBeGreaterThan(0);
  });
});
