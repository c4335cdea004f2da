import { randomUUID } from 'node:crypto';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '@hangar/contracts';
import type { Logger } from '@hangar/runtime';

const KEY = 'leader';

/**
 * Exactly one scheduler decides: the one holding the `leader` key in a NATS KV bucket whose
 * entries expire after `leaseMs`. The holder renews every third of that with a compare-and-set
 * on its own revision; a standby retries `create` (which succeeds only when the key is absent or
 * expired) until the leader stops renewing. A leader that cannot renew, or finds another holder,
 * stops deciding at once (`onLost`): the process exits and comes back as a standby, so a
 * paused-then-resumed leader never admits next to its successor.
 */
export class LeaderLease {
  readonly holder = randomUUID();
  private kv?: KV;
  private revision = 0;
  private renewTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly onLost: (reason: string) => void,
  ) {}

  /** Resolves once this process leads. */
  async acquire(): Promise<void> {
    const kv = await this.bucket();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.revision = await kv.create(KEY, this.holder);
        this.logger.info({ holder: this.holder, leaseMs: this.leaseMs }, 'leader lease acquired');
        this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
        return;
      } catch (err) {
        if (attempt === 0) this.logger.info({ err: String(err) }, 'another scheduler leads; standing by');
        await new Promise((r) => setTimeout(r, Math.max(50, Math.floor(this.leaseMs / 6))));
      }
    }
  }

  /** Before a decision that must not race a successor: is the lease still ours? */
  async assertHeld(): Promise<void> {
    const entry = await this.kv!.get(KEY);
    if (!entry || entry.revision !== this.revision || entry.string() !== this.holder) {
      this.lose('another scheduler holds the lease');
      throw new Error('not the leader');
    }
  }

  async release(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    if (this.kv && this.revision) await this.kv.delete(KEY, { previousSeq: this.revision }).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    try {
      this.revision = await this.kv!.update(KEY, this.holder, this.revision, Math.floor(this.leaseMs / 3));
    } catch (err) {
      this.lose(`lease renewal failed: ${String(err)}`);
    }
  }

  private lose(reason: string) {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.renewTimer);
    this.logger.error({ reason }, 'leader lease lost');
    this.onLost(reason);
  }

  private async bucket(): Promise<KV> {
    this.kv ??= await new Kvm(this.nc).create(subjects.schedulerLeaseBucket, { ttl: this.leaseMs, history: 1 });
    return this.kv;
  }
}
