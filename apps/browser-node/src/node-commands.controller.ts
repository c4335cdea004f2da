import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { drainNodeCommand, subjects, type DrainNodeReply } from '@hangar/contracts';
import { NodeDrain } from './node/node-drain.service.js';

/** Commands addressed to the node itself; per node id for the same reason as the session commands. */
export function nodeCommandsController(nodeId: string): Type<unknown> {
  @Controller()
  class NodeCommandsController {
    constructor(private readonly drain: NodeDrain) {}

    @MessagePattern(subjects.drainNode(nodeId))
    drainNode(@Payload() payload: unknown): DrainNodeReply {
      // Nothing in the payload is needed: a malformed one still drains, it only loses its tag.
      const command = drainNodeCommand.safeParse(payload ?? {});
      this.drain.begin('command', command.success ? command.data.correlationId : undefined);
      return { ok: true };
    }
  }
  return NodeCommandsController;
}
