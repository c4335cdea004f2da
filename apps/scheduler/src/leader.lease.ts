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
  private lastRenewed = 0;
  private renewTimer?: NodeJS.Timeout;
  private renewing = false;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly onLost: (reason: string) => void,
    /** The bucket's replicas when this process creates it (HANGAR_STREAM_REPLICAS): on a cluster, the lease outlives a server. */
    private readonly replicas = 1,
  ) {}

  /** Resolves once this process leads. */
  async acquire(): Promise<void> {
    const kv = await this.bucket();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.revision = await kv.create(KEY, this.holder);
        this.lastRenewed = Date.now();
        this.logger.info({ holder: this.holder, leaseMs: this.leaseMs }, 'leader lease acquired');
        this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
        this.renewTimer.unref();
        return;
      } catch (err) {
        if (attempt === 0) this.logger.info({ err: String(err) }, 'another scheduler leads; standing by');
        await new Promise((r) => setTimeout(r, Math.max(50, Math.floor(this.leaseMs / 6))));
      }
    }
  }

  /**
   * Before a decision that must not race a successor: is the lease still ours? Ownership is the
   * holder id in the value (unique per process), not the revision: a renewal whose reply was lost
   * may have landed, moving the revision under us.
   */
  async assertHeld(): Promise<void> {
    // Renewed within the last third of the lease by this very process: nobody else can hold it
    // (it cannot have expired), so skip the round trip. A process that was paused sees a long gap
    // on the wall clock and asks NATS.
    if (!this.stopped && Date.now() - this.lastRenewed < this.leaseMs / 3) return;
    if (!(await this.stillOurs())) {
      this.lose('another scheduler holds the lease');
      throw new Error('not the leader');
    }
  }

  private async stillOurs(): Promise<boolean> {
    const entry = await this.kv!.get(KEY);
    if (!entry || entry.operation !== 'PUT' || entry.string() !== this.holder) return false;
    this.revision = entry.revision;
    return true;
  }

  async release(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    if (this.kv && this.revision) await this.kv.delete(KEY, { previousSeq: this.revision }).catch(() => undefined);
  }

  /**
   * A refused compare-and-set means someone else holds the key: lost at once. A renewal that
   * merely failed (NATS restarting) is retried until the lease would have lapsed anyway — while
   * NATS is down nobody else can take it either.
   */
  private async renew(): Promise<void> {
    // One renewal at a time: two in flight with the same revision would refuse each other.
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    try {
      this.revision = await this.kv!.update(KEY, this.holder, this.revision, Math.floor(this.leaseMs / 3));
      this.lastRenewed = Date.now();
    } catch (err) {
      const refused = /wrong last sequence/i.test(String(err));
      if (refused && !(await this.stillOurs().catch(() => false))) return this.lose('another scheduler holds the lease');
      if (refused) return; // our earlier renewal landed after all; `stillOurs` took its revision
      if (Date.now() - this.lastRenewed >= this.leaseMs) return this.lose(`lease not renewed for ${this.leaseMs} ms: ${String(err)}`);
      this.logger.warn({ err: String(err) }, 'lease renewal failed; retrying');
    } finally {
      this.renewing = false;
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
    this.kv ??= await new Kvm(this.nc).create(subjects.schedulerLeaseBucket, { ttl: this.leaseMs, history: 1, replicas: this.replicas });
    return this.kv;
  }
}
