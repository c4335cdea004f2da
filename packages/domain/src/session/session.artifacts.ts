import type { SessionArtifactKind } from '@hangar/contracts';

/**
 * Where a session's artifacts live in the artifact store: under its project, so that a project's
 * data can be listed (and deleted) by prefix, and one object per kind. Every writer (the node for
 * downloads, the archiver for logs and recording) and the gateway that serves them build keys
 * here and nowhere else.
 */
const FILE_OF: Record<SessionArtifactKind, string> = {
  logs: 'logs.ndjson.gz',
  recording: 'recording.ndjson.gz',
  downloads: 'downloads.zip',
};

export function sessionArtifactKey(projectId: string, sessionId: string, kind: SessionArtifactKind): string {
  return `${sessionArtifactPrefix(projectId, sessionId)}${FILE_OF[kind]}`;
}

export function sessionArtifactPrefix(projectId: string, sessionId: string): string {
  for (const [name, id] of [['projectId', projectId], ['sessionId', sessionId]] as const) {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`${name} ${JSON.stringify(id)} cannot be part of an artifact key`);
  }
  return `projects/${projectId}/sessions/${sessionId}/`;
}
