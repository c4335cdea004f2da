export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A thin fetch wrapper: the gateway's answers over real HTTP, body parsed when it is JSON. */
export function apiClient(baseUrl: string, apiKey?: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(apiKey ? { 'x-bb-api-key': apiKey } : {}), ...options.headers };
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: body as string | Uint8Array<ArrayBuffer> } : {}) });
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
  };
}
