import type { Stack } from '@hangar/stack';

export interface CreatedSession {
  id: string;
  connectUrl: string;
  status: string;
}

/** The few Browserbase v1 calls the bench makes, over Node's fetch (keep-alive, like the SDK). */
export class HangarClient {
  constructor(private readonly stack: Pick<Stack, 'apiUrl' | 'apiKey' | 'projectId'>) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.stack.apiUrl}${path}`, {
      method,
      headers: { 'x-bb-api-key': this.stack.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: any = text;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: res.status, json };
  }

  async create(options: { keepAlive?: boolean; browserSettings?: Record<string, unknown>; proxies?: unknown } = {}): Promise<CreatedSession> {
    const body = {
      projectId: this.stack.projectId,
      keepAlive: options.keepAlive ?? false,
      ...(options.browserSettings ? { browserSettings: options.browserSettings } : {}),
      ...(options.proxies !== undefined ? { proxies: options.proxies } : {}),
    };
    const { status, json } = await this.call('POST', '/v1/sessions', body);
    if (status !== 201) throw new Error(`POST /v1/sessions answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
    return json as CreatedSession;
  }

  /** REQUEST_RELEASE; the answer comes once the node has torn the browser down. */
  async release(id: string): Promise<void> {
    const { status, json } = await this.call('POST', `/v1/sessions/${id}`, { projectId: this.stack.projectId, status: 'REQUEST_RELEASE' });
    if (status !== 200) throw new Error(`REQUEST_RELEASE ${id} answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
  }

  /** The full URL of a route of this stack's API. */
  url(path: string): string {
    return `${this.stack.apiUrl}${path}`;
  }

  get apiKey(): string {
    return this.stack.apiKey;
  }

  /** A GET answered in JSON: the parsed body and its size on the wire. */
  async getJson(path: string): Promise<{ status: number; bytes: number; json: unknown }> {
    const res = await fetch(`${this.stack.apiUrl}${path}`, { headers: { 'x-bb-api-key': this.stack.apiKey } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, bytes: Buffer.byteLength(text), json: JSON.parse(text) };
  }

  /** POST /v1/contexts: the new context's id. */
  async createContext(): Promise<string> {
    const { status, json } = await this.call('POST', '/v1/contexts', { projectId: this.stack.projectId });
    if (status !== 200) throw new Error(`POST /v1/contexts answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
    return (json as { id: string }).id;
  }

  async deleteContext(id: string): Promise<void> {
    const { status, json } = await this.call('DELETE', `/v1/contexts/${id}`);
    if (status !== 204) throw new Error(`DELETE /v1/contexts/${id} answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
  }

  async retrieve(id: string): Promise<{ status: number; json: any }> {
    return this.call('GET', `/v1/sessions/${id}`);
  }
}
