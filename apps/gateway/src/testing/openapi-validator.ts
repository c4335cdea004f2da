import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its callable is the module itself under Node's ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

const DOCUMENT_ID = 'https://hangar.invalid/openapi.json';
const pointer = (...segments: string[]) => segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

type Document = { paths: Record<string, Record<string, any>>; components: unknown };

/**
 * Validates bodies against the OpenAPI document itself, with a real JSON Schema 2020-12
 * validator: the document is added whole and each body is checked against the schema at its
 * operation's pointer, so a $ref resolves exactly as a client's tooling would resolve it.
 * Each check answers a list of readable problems; empty means valid.
 */
export function openApiValidator(document: Document) {
  // Not strict: the document's own keys (paths, parameters, …) are not JSON Schema keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, paths: document.paths, components: document.components });

  const operation = (method: string, route: string) => {
    const op = document.paths[route]?.[method.toLowerCase()];
    if (!op) throw new Error(`the document has no ${method} ${route}`);
    return op;
  };
  const check = (ref: string, body: unknown, what: string): string[] => {
    const validate = ajv.getSchema(`${DOCUMENT_ID}#/${ref}`);
    if (!validate) return [`${what}: no schema at ${ref}`];
    return validate(body) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${what}: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };

  return {
    /** A request body against its operation's requestBody schema. */
    request(method: string, route: string, body: unknown): string[] {
      if (!operation(method, route).requestBody) return body === undefined ? [] : [`${method} ${route} documents no request body`];
      return check(pointer('paths', route, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'), body, `${method} ${route} request`);
    },
    /** A response: its status must be documented for the operation, and a JSON body must match that status's schema. */
    response(method: string, route: string, status: number, body: unknown): string[] {
      const documented = operation(method, route).responses?.[String(status)];
      if (!documented) return [`${method} ${route} does not document status ${status}`];
      if (!documented.content?.['application/json']) return [];
      return check(pointer('paths', route, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema'), body, `${method} ${route} ${status}`);
    },
  };
}
