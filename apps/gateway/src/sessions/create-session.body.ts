import { createSessionBodySchema, sessionSettingsFromBody, type SessionSettings } from '@hangar/contracts';
import { parseOrThrow } from '../errors/validation-message.js';

/** A create request, validated: the project it names (checked against the key's) and the settings. */
export interface CreateSessionRequest {
  projectId?: string | undefined;
  settings: SessionSettings;
}

/**
 * The body's one definition lives in @hangar/contracts (the command carries what it yields); this
 * file only gives it the API's 400s. An absent body is an empty one: `POST /v1/sessions` with no
 * body creates a default session.
 */
export function parseCreateSessionBody(input: unknown): CreateSessionRequest {
  const body = parseOrThrow(createSessionBodySchema, input === undefined ? {} : input);
  return { projectId: body.projectId, settings: sessionSettingsFromBody(body) };
}
