import { ApiError } from '../errors/api-error.js';

/**
 * A key belongs to one project; naming another one is refused outright (403) rather than
 * treated as missing, since the caller told us which project it meant.
 */
export function assertOwnProject(given: unknown, projectId: string): void {
  if (typeof given === 'string' && given !== '' && given !== projectId) {
    throw new ApiError('FORBIDDEN', 'projectId does not match the project of the API key');
  }
}
