/**
 * Session ids are subject tokens (packages/contracts subjects.ts): an id outside this alphabet
 * cannot exist, and must never reach a subject builder, which would throw.
 */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export const isSessionId = (id: string): boolean => SESSION_ID.test(id);
