import { z } from 'zod';
import type { EventOf } from '../envelope.js';
import { ApiKeyIssued } from './api-key-issued.event.js';
import { ClientConnected } from './client-connected.event.js';
import { ClientDisconnected } from './client-disconnected.event.js';
import { ContextCreated } from './context-created.event.js';
import { ContextDeleted } from './context-deleted.event.js';
import { ContextNameClaimed, ContextNameReleased } from './context-name.events.js';
import { ContextSaved } from './context-saved.event.js';
import { ExtensionDeleted } from './extension-deleted.event.js';
import { ExtensionUploaded } from './extension-uploaded.event.js';
import { NodeJoined } from './node-joined.event.js';
import { NodeLeft } from './node-left.event.js';
import { ProjectCreated } from './project-created.event.js';
import { SessionArtifactStored } from './session-artifact-stored.event.js';
import { SessionEnded } from './session-ended.event.js';
import { SessionReleaseRequested } from './session-release-requested.event.js';
import { SessionRequested } from './session-requested.event.js';
import { SessionScheduled } from './session-scheduled.event.js';
import { SessionStarted } from './session-started.event.js';

export {
  ApiKeyIssued,
  ClientConnected,
  ClientDisconnected,
  ContextCreated,
  ContextDeleted,
  ContextNameClaimed,
  ContextNameReleased,
  ContextSaved,
  ExtensionDeleted,
  ExtensionUploaded,
  NodeJoined,
  NodeLeft,
  ProjectCreated,
  SessionArtifactStored,
  SessionEnded,
  SessionReleaseRequested,
  SessionRequested,
  SessionScheduled,
  SessionStarted,
};

export const sessionEventSchema = z.discriminatedUnion('type', [
  SessionRequested.schema,
  SessionScheduled.schema,
  SessionStarted.schema,
  ClientConnected.schema,
  ClientDisconnected.schema,
  SessionReleaseRequested.schema,
  SessionEnded.schema,
  SessionArtifactStored.schema,
]);
export type SessionEvent = Readonly<z.infer<typeof sessionEventSchema>>;

export const nodeEventSchema = z.discriminatedUnion('type', [NodeJoined.schema, NodeLeft.schema]);
export type NodeEvent = Readonly<z.infer<typeof nodeEventSchema>>;

export const projectEventSchema = z.discriminatedUnion('type', [ProjectCreated.schema, ApiKeyIssued.schema]);
export type ProjectEvent = Readonly<z.infer<typeof projectEventSchema>>;

export const extensionEventSchema = z.discriminatedUnion('type', [ExtensionUploaded.schema, ExtensionDeleted.schema]);
export type ExtensionEvent = Readonly<z.infer<typeof extensionEventSchema>>;

export const contextEventSchema = z.discriminatedUnion('type', [ContextCreated.schema, ContextSaved.schema, ContextDeleted.schema]);
export type ContextEvent = Readonly<z.infer<typeof contextEventSchema>>;

export const contextNameEventSchema = z.discriminatedUnion('type', [ContextNameClaimed.schema, ContextNameReleased.schema]);
export type ContextNameEvent = Readonly<z.infer<typeof contextNameEventSchema>>;

export const domainEventSchema = z.discriminatedUnion('type', [
  ...sessionEventSchema.options,
  ...nodeEventSchema.options,
  ...projectEventSchema.options,
  ...extensionEventSchema.options,
  ...contextEventSchema.options,
  ...contextNameEventSchema.options,
]);
export type DomainEvent = SessionEvent | NodeEvent | ProjectEvent | ExtensionEvent | ContextEvent | ContextNameEvent;

export type SessionRequestedEvent = EventOf<typeof SessionRequested>;
export type SessionEndedEvent = EventOf<typeof SessionEnded>;
export type SessionArtifactStoredEvent = EventOf<typeof SessionArtifactStored>;
export type ExtensionUploadedEvent = EventOf<typeof ExtensionUploaded>;
export type ExtensionDeletedEvent = EventOf<typeof ExtensionDeleted>;
export type ContextCreatedEvent = EventOf<typeof ContextCreated>;
export type ContextSavedEvent = EventOf<typeof ContextSaved>;
export type ContextDeletedEvent = EventOf<typeof ContextDeleted>;
