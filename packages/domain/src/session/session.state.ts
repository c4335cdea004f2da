import type { EndReason, EndedStatus, MetadataValue, Region } from '@hangar/contracts';

export interface SessionBase {
  readonly id: string;
  readonly projectId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  readonly timeoutSeconds: number;
  readonly keepAlive: boolean;
  readonly region: Region;
  readonly userMetadata?: Record<string, MetadataValue> | undefined;
  readonly contextId?: string | undefined;
  readonly nodeId?: string | undefined;
  /** Stream sequence of the last event folded in; 0 before the first. */
  readonly version: number;
}

/** A session is exactly one of these; every switch over `kind` is exhaustive. */
export type SessionState =
  | { readonly kind: 'absent'; readonly version: number }
  | (SessionBase & { readonly kind: 'pending'; readonly releaseRequested: boolean })
  | (SessionBase & {
      readonly kind: 'running';
      readonly nodeId: string;
      readonly endpoint: string;
      readonly startedAt: string;
      readonly clients: number;
      readonly everConnected: boolean;
      readonly releaseRequested: boolean;
    })
  | (SessionBase & {
      readonly kind: 'ended';
      readonly status: EndedStatus;
      readonly reason: EndReason;
      readonly startedAt: string;
      readonly endedAt: string;
      readonly endpoint?: string | undefined;
      readonly proxyBytes?: number;
    });

export const initialSessionState: SessionState = { kind: 'absent', version: 0 };

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
