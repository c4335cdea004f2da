import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const eventMetadataSchema = z.object({
  correlationId: z.string().min(1),
  causationId: z.string().min(1).optional(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

/**
 * Every event is `{id, type, version, occurredAt, data, metadata}`: a readonly fact in the past
 * tense. `id` doubles as the JetStream `Nats-Msg-Id`, so a retried append is stored once.
 */
export function defineEvent<const T extends string, const V extends number, D extends z.ZodObject>(
  type: T,
  version: V,
  data: D,
) {
  const schema = z.object({
    id: z.string().min(1),
    type: z.literal(type),
    version: z.literal(version),
    occurredAt: z.iso.datetime(),
    data,
    metadata: eventMetadataSchema,
  });
  type Event = Readonly<z.infer<typeof schema>>;
  return {
    type,
    version,
    schema,
    create(payload: z.input<D>, metadata: EventMetadata, options: { id?: string; at?: Date } = {}): Event {
      return schema.parse({
        id: options.id ?? randomUUID(),
        type,
        version,
        occurredAt: (options.at ?? new Date()).toISOString(),
        data: payload,
        metadata,
      }) as Event;
    },
  };
}

export type EventOf<E extends { schema: z.ZodType }> = Readonly<z.infer<E['schema']>>;
