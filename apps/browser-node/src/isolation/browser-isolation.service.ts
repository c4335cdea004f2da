import { chmodSync, mkdirSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@hangar/runtime';
import type { NodeConfig } from '../env.js';
import { NODE_CONFIG } from '../tokens.js';
import { createBrowserFolders, removeBrowserFolders, removeFilesOfUid, unreachableAncestor, type BrowserFolders } from './browser-folders.js';
import { BrowserUserPool, type BrowserUser } from './browser-users.js';
import { hostHasPolicy, policyMountPoint, writePolicyFolder } from './chromium-policy.js';
import { browserEnvironment, jailedCommand, mountNamespaceProbe, sandboxProbe, type JailedCommand, type JailPlan } from './jail.js';

const NOBODY = 65534;

/** A browser's place on the host, from before its launch until after its last process is gone. */
export interface BrowserPlace {
  readonly user: BrowserUser | undefined;
  readonly folders: BrowserFolders;
  /** `command args` as this browser must be started: its user, its namespace, its environment. */
  command(command: string, args: string[]): JailedCommand;
  /** Kills what is left of the user, deletes the folders, gives the user back. Idempotent. */
  release(): Promise<void>;
}

/**
 * Fences each browser (ARCHITECTURE.md, "Tenants are fenced"): its own OS user from the host's
 * pool, its folders 0700 to that user, a clean environment, Chromium's sandbox where the kernel
 * allows it, and a mount namespace of its own in which Hangar's Chromium policy closes the local
 * schemes. What the host does not allow is said once, loudly, at start.
 */
@Injectable()
export class BrowserIsolation {
  private jail: JailPlan | undefined;
  private readonly users: BrowserUserPool;

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.users = new BrowserUserPool(config.nodeId, config.browserUserLeaseDir);
  }

  get plan(): JailPlan {
    if (!this.jail) throw new Error('BrowserIsolation.init() has not run');
    return this.jail;
  }

  /** Decides the plan; throws (the node does not start) where a browser could not work at all. */
  async init(): Promise<JailPlan> {
    if (this.jail) return this.jail;
    const root = process.getuid?.() === 0;
    const { dataDir, profilesRoot } = this.config;
    mkdirSync(profilesRoot, { recursive: true });
    // Others may pass through, never list: session ids are not for other browsers to read.
    for (const dir of [dataDir, profilesRoot]) chmodSync(dir, root ? 0o711 : 0o700);
    if (root) {
      const blocked = unreachableAncestor(profilesRoot);
      if (blocked) {
        throw new Error(
          `browser users cannot reach ${profilesRoot}: ${blocked} lets no other user through (mode 0700?). Set HANGAR_NODE_DATA_DIR to a folder they can reach, e.g. under /var/lib/hangar (the default when the node runs as root).`,
        );
      }
    }
    const policy = { folder: writePolicyFolder(dataDir), mountPoint: policyMountPoint(this.config.chromePath) };
    let mountNamespace = false;
    if (root && this.config.mountNamespace) {
      mkdirSync(policy.mountPoint, { recursive: true });
      const probe = await mountNamespaceProbe(policy);
      mountNamespace = probe.code === 0;
      if (!mountNamespace) this.logger.warn({ stderr: probe.stderr }, 'no private mount namespace for browsers (no CAP_SYS_ADMIN?)');
    }
    const sandboxWanted = this.config.chromiumSandbox !== 'off';
    const sandbox = sandboxWanted && (await sandboxProbe(root ? NOBODY : undefined)).code === 0;
    this.jail = { ownUsers: root, mountNamespace, sandbox, ...(mountNamespace ? { policy } : {}) };
    this.sayWhatIsMissing();
    return this.jail;
  }

  private sayWhatIsMissing(): void {
    const plan = this.plan;
    const localSchemesClosed = plan.mountNamespace || hostHasPolicy(this.config.chromePath);
    this.logger.info({ ...plan, localSchemesClosed }, 'browser isolation');
    if (!plan.ownUsers) {
      this.logger.warn(
        `ISOLATION: this node does not run as root, so every browser runs as ${process.getuid?.()} (the node's own user): sessions are fenced from each other by Chromium's sandbox and the CDP guard, not by OS users. Run the node as root (it drops each browser to a user of its own) for that.`,
      );
    }
    if (!plan.sandbox) {
      this.logger.warn(
        this.config.chromiumSandbox === 'off'
          ? 'ISOLATION: Chromium runs with --no-sandbox (HANGAR_CHROMIUM_SANDBOX=off): a renderer exploit runs as the browser user.'
          : 'ISOLATION: the kernel refuses unprivileged user namespaces, so Chromium runs with --no-sandbox: a renderer exploit runs as the browser user. Enable them (sysctl kernel.unprivileged_userns_clone=1, or a seccomp profile that allows clone/unshare of namespaces in containers).',
      );
    }
    if (!localSchemesClosed) {
      this.logger.warn(
        `ISOLATION: Chromium's policy cannot be given to the browsers here (no private mount namespace), so file: and chrome: URLs are refused only by the CDP guard, not by Chromium itself. Install ${policyMountPoint(this.config.chromePath)}/managed/hangar.json (the Docker image does), or give the node CAP_SYS_ADMIN.`,
      );
    }
  }

  /** Leases a user and makes the folders at `root`; undone by the place's `release()`. */
  async place(root: string): Promise<BrowserPlace> {
    const plan = this.plan;
    const user = plan.ownUsers ? await this.users.lease() : undefined;
    let folders: BrowserFolders;
    try {
      folders = createBrowserFolders(root, user);
    } catch (err) {
      if (user) await this.users.release(user).catch(() => undefined);
      throw err;
    }
    let released: Promise<void> | undefined;
    return {
      user,
      folders,
      command: (command, args) => ({ ...jailedCommand(plan, user, root, command, args), env: browserEnvironment(folders, plan, this.config.headless, process.env) }),
      release: () => (released ??= this.release(user, folders)),
    };
  }

  private async release(user: BrowserUser | undefined, folders: BrowserFolders): Promise<void> {
    if (!user) return removeBrowserFolders(folders);
    await this.users.release(user, async () => {
      await removeBrowserFolders(folders);
      // /var/tmp is always the host's, and so is /tmp when the folder is under it (jail.ts).
      removeFilesOfUid(user.uid);
    });
  }
}
