import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { NodesService, type NodeResource } from './nodes.service.js';

/**
 * Not part of the Browserbase API: Hangar's own view of its browser fleet. Any project's key may
 * read it — it shows capacity, not anyone's sessions.
 */
@Controller('v1/nodes')
@UseGuards(ApiKeyGuard)
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get()
  list(): Promise<NodeResource[]> {
    return this.nodes.list();
  }
}
