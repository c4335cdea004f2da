import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMEDRIVER_CANDIDATES, findChromedriver } from './chromedriver-binary.js';
import { CHROMIUM_CANDIDATES, findChromium } from './chromium-binary.js';
import { CHROMIUM_HOST_FLAGS } from './host-flags.js';

describe('findChromium, on this machine', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-find-chromium-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a Chromium that runs', () => {
    const found = findChromium();
    expect(found).toBeDefined();
    expect(execFileSync(found!, ['--version'], { encoding: 'utf8' })).toMatch(/chrom/i);
  });

  it("takes the first install location there is: Debian's real binary before the /usr/bin/chromium wrapper script", () => {
    expect(findChromium()).toBe(CHROMIUM_CANDIDATES.find((c) => findChromium(c) === c));
  });

  it('takes an explicit path only when it is executable', () => {
    const script = path.join(dir, 'my-chrome');
    writeFileSync(script, '#!/bin/sh\n');
    expect(findChromium(script)).toBeUndefined();
    chmodSync(script, 0o755);
    expect(findChromium(script)).toBe(script);
    expect(findChromium(path.join(dir, 'missing'))).toBeUndefined();
  });
});

describe('the host flags', () => {
  it('leave the sandbox to whoever launches (the node turns it off only where the kernel forbids it)', () => {
    expect(CHROMIUM_HOST_FLAGS).not.toContain('--no-sandbox');
  });
});

describe('findChromedriver, on this machine', () => {
  it("finds a chromedriver of Chromium's very version (scripts/ensure-system.mjs installs it)", () => {
    const driver = findChromedriver();
    expect(driver).toBeDefined();
    const version = (out: string) => /(\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
    expect(version(execFileSync(driver!, ['--version'], { encoding: 'utf8' }))).toBe(version(execFileSync(findChromium()!, ['--version'], { encoding: 'utf8' })));
  });

  it('takes an explicit path only when it is executable', () => {
    expect(findChromedriver('/nonexistent/chromedriver')).toBeUndefined();
    expect(findChromedriver(CHROMEDRIVER_CANDIDATES[0])).toBe(CHROMEDRIVER_CANDIDATES[0]);
  });
});
