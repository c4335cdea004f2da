import { ReplayController } from './replay.controller.js';
import { SessionTelemetryReader } from './session-telemetry.reader.js';
import { TelemetryController } from './telemetry.controller.js';

/**
 * A session's logs and recording (`/v1/sessions/:id/logs`, `/recording`, `/replay`) and the
 * replay page (`/replay/:id`), registered in the app module: they use its SessionReader,
 * PublicUrls and GATEWAY_ENV, and the global ARTIFACT_STORE and NATS_CONNECTION.
 */
export const TELEMETRY_CONTROLLERS = [TelemetryController, ReplayController];
export const TELEMETRY_PROVIDERS = [SessionTelemetryReader];
