import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentProject } from '../auth/current-project.decorator.js';
import { ProjectsService, type ProjectResource, type ProjectUsage } from './projects.service.js';

@Controller('v1/projects')
@UseGuards(ApiKeyGuard)
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** A key sees exactly one project: its own. */
  @Get()
  async list(@CurrentProject() projectId: string): Promise<ProjectResource[]> {
    return [await this.projects.get(projectId)];
  }

  @Get(':id')
  retrieve(@CurrentProject() projectId: string, @Param('id') id: string): Promise<ProjectResource> {
    return this.projects.get(projectId, id);
  }

  @Get(':id/usage')
  usage(@CurrentProject() projectId: string, @Param('id') id: string): Promise<ProjectUsage> {
    return this.projects.usage(projectId, id);
  }
}
