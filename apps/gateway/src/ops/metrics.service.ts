import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus registry. Its own registry, not prom-client's global one, so two
 * gateways in one process (tests) do not collide. Routes are labelled by their template
 * (`/v1/sessions/:id`), never the raw URL, to keep the label set bounded.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'hangar_gateway_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'hangar_gateway_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly connects = new Counter({
    name: 'hangar_gateway_connects_total',
    help: 'WebSocket connect attempts, by outcome (piped, or the HTTP status of the refusal)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly openConnections = new Gauge({
    name: 'hangar_gateway_open_connections',
    help: 'Client WebSocket connections currently piped to a node',
    registers: [this.registry],
  });

  constructor() {
    // Named as in every other service (@hangar/runtime ops-server.ts): Node's default metrics
    // unprefixed, told apart by the `service` label, so one dashboard query covers them all.
    this.registry.setDefaultLabels({ service: 'gateway' });
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }
}
