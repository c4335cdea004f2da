import type { CommandError } from '@hangar/contracts';

/**
 * `serving` takes new sessions; `draining` finishes the running ones and takes none (a drain);
 * `stopping` ends them all now (SIGTERM). Each step only goes forward.
 */
export type NodePhase = 'serving' | 'draining' | 'stopping';

export interface NodeSlots {
  readonly nodeId: string;
  readonly phase: NodePhase;
  readonly maxSessions: number;
  /** Sessions running plus those whose browser is on its way. */
  readonly occupied: number;
}

/** What the node already holds of the session asked to start. */
export type StartingSession = 'absent' | 'started' | 'starting';

export type StartDecision =
  | { readonly kind: 'launch' }
  /** A retried start (the first reply was lost): answer with the browser already launched. */
  | { readonly kind: 'answer-started' }
  | { readonly kind: 'refuse'; readonly error: CommandError };

export const SHUTTING_DOWN: CommandError = { code: 'UNAVAILABLE', message: 'this node is shutting down; place the session on another node' };

/** Whether a node takes a start command, and if not, what it answers. */
export function decideStart(node: NodeSlots, session: StartingSession, sessionId: string): StartDecision {
  if (node.phase === 'stopping') return { kind: 'refuse', error: SHUTTING_DOWN };
  // Drain or not: a retry must find the session it already started.
  if (session === 'started') return { kind: 'answer-started' };
  if (session === 'starting') return { kind: 'refuse', error: { code: 'VALIDATION', message: `session ${sessionId} is already starting on this node` } };
  if (node.phase === 'draining') {
    return {
      kind: 'refuse',
      error: {
        code: 'NO_CAPACITY',
        message: `node ${node.nodeId} is draining: it finishes its running sessions and takes no new ones; place the session on another node`,
      },
    };
  }
  if (node.occupied >= node.maxSessions) {
    return { kind: 'refuse', error: { code: 'NO_CAPACITY', message: `node ${node.nodeId} runs its maximum of ${node.maxSessions} sessions` } };
  }
  return { kind: 'launch' };
}
