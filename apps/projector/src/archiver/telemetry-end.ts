import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { TELEMETRY_STREAM, telemetryMessageSchema, telemetrySubjects, type TelemetryKind } from '@hangar/contracts';

const POLL_MS = 200;

/**
 * Whether a session's node has said it is done with a kind: its `end` is the subject's last
 * message. One direct look at the subject's last message per poll, however much telemetry the
 * session has: reading it all to find out would cost a busy recording's megabytes each time.
 */
export class TelemetryEnds {
  private constructor(private readonly jsm: JetStreamManager) {}

  static async create(nc: NatsConnection): Promise<TelemetryEnds> {
    return new TelemetryEnds(await jetstreamManager(nc));
  }

  async hasEnded(sessionId: string, kind: TelemetryKind): Promise<boolean> {
    const last = await this.jsm.streams.getMessage(TELEMETRY_STREAM, { last_by_subj: telemetrySubjects.of(sessionId, kind) }).catch((err: unknown) => {
      if (err instanceof Error && /no message found|not found/i.test(err.message)) return null;
      throw err;
    });
    if (!last) return false;
    const parsed = telemetryMessageSchema.safeParse(safeJson(last.string()));
    return parsed.success && parsed.data.type === 'end';
  }

  /**
   * Waits until every kind in `kinds` has its `end`, or `deadline` (ms since the epoch) passes.
   * Answers the kinds that did end. The deadline is counted from the session's end, not from
   * now: after a restart, a session that ended long ago is archived at once with what there is.
   */
  async waitFor(sessionId: string, kinds: readonly TelemetryKind[], deadline: number, stopped: () => boolean): Promise<Set<TelemetryKind>> {
    const ended = new Set<TelemetryKind>();
    for (;;) {
      for (const kind of kinds) if (!ended.has(kind) && (await this.hasEnded(sessionId, kind))) ended.add(kind);
      if (ended.size === kinds.length || Date.now() >= deadline || stopped()) return ended;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
