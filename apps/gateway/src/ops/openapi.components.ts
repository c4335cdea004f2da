import { z } from 'zod';
import { createSessionBodySchema, metadataValueSchema, recordingEventSchema, sessionLogEntrySchema, userMetadataSchema } from '@hangar/contracts';
import { errorBodySchema } from '../errors/error.body.js';
import { liveUrlsSchema } from '../live-view/live-urls.resource.js';
import { nodeResourceSchema } from '../nodes/node.resource.js';
import { projectResourceSchema, projectUsageSchema } from '../projects/project.resource.js';
import { sessionCreatedSchema, sessionDetailSchema, sessionResourceSchema } from '../sessions/session.resource.js';
import { updateSessionBody } from '../sessions/update-session.body.js';
import { replayUrlSchema } from '../telemetry/replay-url.resource.js';

type JsonSchema = Record<string, unknown>;

export const schemaRef = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/**
 * Request bodies are described as input: unknown fields are dropped, not refused, so their
 * objects stay open. Responses as output: closed objects, so a field the gateway sends but the
 * document does not name fails the contract test (openapi-contract.int.spec.ts).
 */
const requests = z.registry<{ id: string }>();
requests.add(createSessionBodySchema, { id: 'SessionCreate' });
requests.add(updateSessionBody, { id: 'SessionUpdate' });
requests.add(metadataValueSchema, { id: 'MetadataValue' });

const responses = z.registry<{ id: string }>();
responses.add(sessionResourceSchema, { id: 'Session' });
responses.add(sessionCreatedSchema, { id: 'SessionCreated' });
responses.add(sessionDetailSchema, { id: 'SessionDetail' });
responses.add(projectResourceSchema, { id: 'Project' });
responses.add(projectUsageSchema, { id: 'ProjectUsage' });
responses.add(nodeResourceSchema, { id: 'Node' });
responses.add(errorBodySchema, { id: 'Error' });
responses.add(liveUrlsSchema, { id: 'SessionLiveURLs' });
responses.add(sessionLogEntrySchema, { id: 'SessionLog' });
responses.add(recordingEventSchema, { id: 'SessionRecording' });
responses.add(replayUrlSchema, { id: 'ReplayUrl' });

/**
 * User metadata is validated as a whole (one clear 400 rather than a nested union failure), so
 * its schema alone would say "any values": the document names the recursive shape instead.
 */
function describeMetadata(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }) {
  if (ctx.zodSchema === userMetadataSchema) ctx.jsonSchema.additionalProperties = schemaRef('MetadataValue');
}

function generate(registry: typeof requests, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => schemaRef(id).$ref, override: describeMetadata });
  const out: Record<string, JsonSchema> = {};
  // Each entry is a component of one document, not a standalone schema: no $schema or $id of its own.
  for (const [id, { $schema: _s, $id: _i, ...schema }] of Object.entries(schemas as Record<string, JsonSchema>)) out[id] = schema;
  return out;
}

/** One schema outside the registries (a query parameter's), inline. */
export function inlineSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _s, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as JsonSchema;
  return json;
}

/** `components.schemas` of the OpenAPI document, generated from the schemas the gateway validates and answers with. */
export function componentSchemas(): Record<string, JsonSchema> {
  return { ...generate(requests, 'input'), ...generate(responses, 'output') };
}
