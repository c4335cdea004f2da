import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli-run.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** The built workspaces' dist folders (`packages/*\/dist`, `apps/*\/dist`). */
function distFolders(): string[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(path.join(REPO_ROOT, group))
      .map((name) => path.join(group, name, 'dist'))
      .filter((dist) => existsSync(path.join(REPO_ROOT, dist))),
  );
}

function chownTree(target: string, owner: Owner): void {
  execFileSync('chown', ['-R', '--no-dereference', `${owner.uid}:${owner.gid}`, target]);
}

/**
 * What a user has after `git clone … && npm ci && npm run build`, without a network: the
 * committed sources (a file:// clone copies objects, never hard-links them, so a chown below
 * cannot reach this checkout's), this checkout's node_modules as hard links (`cp -al`: the same
 * files at a path of the clone, so a binary is exactly as reachable as there) and its built dist
 * folders, copied. With an owner, everything but node_modules becomes theirs; node_modules stays
 * root's, readable by all, as a shared install would be (a chown would change this checkout's
 * files through the links).
 */
export function cloneRepo(target: string, owner?: Owner): void {
  execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${REPO_ROOT}`, target]);
  for (const dist of distFolders()) cpSync(path.join(REPO_ROOT, dist), path.join(target, dist), { recursive: true });
  if (owner) chownTree(target, owner);
  execFileSync('cp', ['-al', path.join(REPO_ROOT, 'node_modules'), path.join(target, 'node_modules')]);
}

/** An ordinary (not system) user to run the stack as, created when the machine has none of that name. */
export function ordinaryUser(name: string): Owner {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
    return { uid: id('-u'), gid: id('-g') };
  }
}
