/**
 * The only place subject strings are built. Events live under `hangar.evt.>` in one stream;
 * commands are core-NATS request/reply under `hangar.cmd.>`.
 */
export const EVENTS_STREAM = 'HANGAR_EVENTS';
export const EVENTS_WILDCARD = 'hangar.evt.>';

const token = (id: string) => {
  // A subject token may not contain '.', '*', '>' or whitespace: an id that does would address
  // another aggregate or a wildcard.
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`invalid subject token: ${JSON.stringify(id)}`);
  return id;
};

export const subjects = {
  sessionEvents: (sessionId: string) => `hangar.evt.session.${token(sessionId)}`,
  allSessionEvents: 'hangar.evt.session.*',
  nodeEvents: (nodeId: string) => `hangar.evt.node.${token(nodeId)}`,
  allNodeEvents: 'hangar.evt.node.*',
  projectEvents: (projectId: string) => `hangar.evt.project.${token(projectId)}`,
  allProjectEvents: 'hangar.evt.project.*',
  extensionEvents: (extensionId: string) => `hangar.evt.extension.${token(extensionId)}`,
  allExtensionEvents: 'hangar.evt.extension.*',
  contextEvents: (contextId: string) => `hangar.evt.context.${token(contextId)}`,
  allContextEvents: 'hangar.evt.context.*',
  /** One subject per (project, name folded to lower case), hashed by packages/domain (contextNameToken). */
  contextNameEvents: (nameToken: string) => `hangar.evt.context-name.${token(nameToken)}`,

  createSession: 'hangar.cmd.session.create',
  releaseSession: 'hangar.cmd.session.release',
  startSessionOnNode: (nodeId: string) => `hangar.cmd.node.${token(nodeId)}.session.start`,
  stopSessionOnNode: (nodeId: string) => `hangar.cmd.node.${token(nodeId)}.session.stop`,
  drainNode: (nodeId: string) => `hangar.cmd.node.${token(nodeId)}.drain`,

  nodeHeartbeat: (nodeId: string) => `hangar.node.heartbeat.${token(nodeId)}`,
  allNodeHeartbeats: 'hangar.node.heartbeat.*',
  schedulerStatus: 'hangar.query.scheduler.status',
  /** NATS KV bucket holding the scheduler leader's lease. */
  schedulerLeaseBucket: 'hangar_scheduler',
} as const;

/** The aggregate id is the last token of an event subject. */
export function aggregateIdOf(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}
