import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import type { z } from 'zod';

export class CommandUnavailable extends Error {
  constructor(readonly subject: string, cause: unknown) {
    super(`no answer on ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Request/reply over core NATS through Nest's client, with a deadline and the reply validated
 * against its contract. No responder, a timeout or a lost connection all surface as
 * CommandUnavailable, which the gateway answers with 503.
 */
export async function sendCommand<R extends z.ZodType>(
  client: ClientProxy,
  subject: string,
  payload: unknown,
  reply: R,
  timeoutMs: number,
): Promise<z.infer<R>> {
  let raw: unknown;
  try {
    raw = await firstValueFrom(client.send(subject, payload).pipe(timeout(timeoutMs)));
  } catch (err) {
    throw new CommandUnavailable(subject, err);
  }
  return reply.parse(raw);
}
