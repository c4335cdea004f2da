import { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ARTIFACT_STORE, type ArtifactStore } from '@hangar/artifacts';
import { logAnswer, recordingAnswer, type TelemetryKind, type TelemetryMessage } from '@hangar/contracts';
import { isEnded, sessionArtifactKey } from '@hangar/domain';
import { ensureTelemetryStream, NATS_CONNECTION, TelemetryLog, type NatsConnection } from '@hangar/messaging';
import { GATEWAY_ENV } from '../tokens.js';
import type { GatewayEnv } from '../env.js';
import { notFound } from '../errors/api-error.js';
import { SessionReader } from '../sessions/session.reader.js';
import type { SessionView } from '../sessions/session.presenter.js';
import { jsonArrayFromGzipNdjson } from './json-array.stream.js';

/** How often a read of an ended session looks again for its node's `end`. */
const END_POLL_MS = 150;

/** A session's logs or recording as the routes answer them: a JSON array, streamed. */
export interface TelemetryAnswerBody {
  readonly source: 'artifact' | 'stream';
  readonly body: Readable;
}

/**
 * Where a session's logs and recording come from. The artifact, once the archiver has stored it
 * (apps/projector/src/archiver): gunzipped and streamed out line by line, never parsed nor held
 * whole. Before that, the telemetry stream (a running session; an ended one not archived yet):
 * the same answer the archiver would store, built by the same functions (contracts
 * telemetry-answer.ts), minus the last marker only the archiver can know to add.
 *
 * Fencing: the session is looked up in the caller's project first (another project's is 404,
 * like a missing one), and the key and subjects are built from that session's own ids: nothing
 * from the request but the checked id reaches the store or NATS.
 */
@Injectable()
export class SessionTelemetryReader implements OnModuleInit {
  private telemetry?: TelemetryLog;

  constructor(
    private readonly sessions: SessionReader,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_ENV) private readonly env: GatewayEnv,
  ) {}

  /** The gateway reads the telemetry stream before any node may have created it. */
  async onModuleInit() {
    await ensureTelemetryStream(this.nc, { replicas: this.env.HANGAR_STREAM_REPLICAS });
    this.telemetry = await TelemetryLog.create(this.nc);
  }

  /** 404 unless the session exists in `projectId`. */
  async session(projectId: string, sessionId: string): Promise<SessionView> {
    const session = await this.sessions.find(projectId, sessionId);
    if (!session) throw notFound(`session ${sessionId}`);
    return session;
  }

  async answer(session: SessionView, kind: TelemetryKind): Promise<TelemetryAnswerBody> {
    const key = sessionArtifactKey(session.projectId, session.id, kind);
    const stored = await this.artifacts.stream(key);
    if (stored) return { source: 'artifact', body: jsonArrayFromGzipNdjson(stored) };
    const messages = await this.streamed(session, kind, key);
    if (!Array.isArray(messages)) return messages;
    const options = { fallbackTimestamp: Date.parse(session.startedAt) || Date.now() };
    const { entries } = kind === 'logs' ? logAnswer(session.id, messages, options) : recordingAnswer(session.id, messages, options);
    return { source: 'stream', body: jsonArrayOf(entries) };
  }

  /**
   * The kind's messages on the stream. For an ended session the node publishes its last batch
   * and `end` once the browser is gone, a moment after the end is recorded: until `end` is in
   * (or the archiver has stored the artifact meanwhile, which purges the stream), look again, up
   * to HANGAR_TELEMETRY_WAIT_MS after the end; past it (a node killed) answer what is there.
   */
  private async streamed(session: SessionView, kind: TelemetryKind, key: string): Promise<TelemetryMessage[] | TelemetryAnswerBody> {
    let messages = (await this.telemetry!.read(session.id, kind)).map((m) => m.message);
    if (!isEnded(session)) return messages;
    const endedAt = Math.min(Date.parse(session.endedAt ?? '') || Date.now(), Date.now());
    const deadline = endedAt + this.env.HANGAR_TELEMETRY_WAIT_MS;
    for (;;) {
      if (messages.at(-1)?.type === 'end') return messages;
      const late = await this.artifacts.stream(key);
      if (late) return { source: 'artifact', body: jsonArrayFromGzipNdjson(late) };
      if (Date.now() >= deadline) return messages;
      await new Promise((r) => setTimeout(r, Math.min(END_POLL_MS, Math.max(1, deadline - Date.now()))));
      messages = (await this.telemetry!.read(session.id, kind)).map((m) => m.message);
    }
  }
}

/** `[`, the entries one by one, `]`: the answer built from the stream is not stringified whole either. */
function jsonArrayOf(entries: readonly unknown[]): Readable {
  return Readable.from(
    (function* () {
      yield '[';
      for (let i = 0; i < entries.length; i++) yield `${i ? ',' : ''}${JSON.stringify(entries[i])}`;
      yield ']';
    })(),
    { objectMode: false },
  );
}
