import { MAX_VIEW_TOKEN_SECONDS } from '../auth/view-token.js';

export const DEFAULT_REPLAY_SECONDS = 3_600;

/** `expiresIn` of the replay URL: integer seconds, 1..21600 (the view token's bound), default one hour. */
export function parseReplayExpiresIn(raw: unknown): { ok: true; seconds: number } | { ok: false; message: string } {
  if (raw === undefined) return { ok: true, seconds: DEFAULT_REPLAY_SECONDS };
  const rule = `expiresIn must be an integer number of seconds from 1 to ${MAX_VIEW_TOKEN_SECONDS}`;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return { ok: false, message: rule };
  const seconds = Number(raw);
  return seconds >= 1 && seconds <= MAX_VIEW_TOKEN_SECONDS ? { ok: true, seconds } : { ok: false, message: rule };
}
