// GitHub's published REST description (@octokit/openapi), used by the emulator to refuse
// every request GitHub would refuse. The spec is large (13 MB without dereferencing), so it
// is parsed once per process and validators are compiled per operation on first use.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives wrapped under Node's ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Record<string, unknown>;
  $ref?: string;
}

interface OperationObject {
  operationId: string;
  parameters?: ParameterObject[];
  requestBody?: {
    required?: boolean;
    content?: Record<string, { schema?: Record<string, unknown> }>;
    $ref?: string;
  };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: Record<string, Record<string, unknown>>;
}

export interface MatchedOperation {
  operationId: string;
  method: string;
  template: string;
  pathParams: Record<string, string>;
}

export type ValidationFailure = { status: 404 | 422; message: string; errors: string[] };

interface CompiledOperation {
  pathParams: ValidateFunction;
  query: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
  operation: OperationObject;
}

const SPEC_ID = 'github';

let loaded: { routes: Map<string, Route[]>; bodyAjv: Ajv; paramAjv: Ajv; spec: OpenApiDocument } | undefined;
const compiled = new Map<string, CompiledOperation>();

function specPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
}

function newAjv(coerceTypes: boolean): Ajv {
  // strict:false: the spec carries OpenAPI keywords (example, discriminator, x-github…) and
  // formats ajv does not know; they describe, they do not constrain.
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, coerceTypes, validateSchema: false });
  addFormats(ajv);
  return ajv;
}

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const spec = JSON.parse(readFileSync(specPath(), 'utf8')) as OpenApiDocument;
  const routes = new Map<string, Route[]>();
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation || typeof operation !== 'object' || !('operationId' in operation)) continue;
      const names: string[] = [];
      const segments = template.split('/');
      const source = segments
        .map((segment) => {
          const param = /^\{(.+)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1]);
          return '([^/]+)';
        })
        .join('/');
      const route: Route = {
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        names,
        literalSegments: segments.filter((segment) => segment !== '' && !segment.startsWith('{')).length,
        operation,
      };
      const list = routes.get(route.method) ?? [];
      list.push(route);
      routes.set(route.method, list);
    }
  }
  // A literal segment beats a parameter: /issues/comments before /issues/{issue_number}.
  for (const list of routes.values()) list.sort((a, b) => b.literalSegments - a.literalSegments);
  const bodyAjv = newAjv(false);
  const paramAjv = newAjv(true);
  // Component schemas are registered once under one id; operations refer into it.
  const components = { components: normalize(spec.components, false) };
  bodyAjv.addSchema(components, SPEC_ID);
  paramAjv.addSchema(components, SPEC_ID);
  loaded = { routes, bodyAjv, paramAjv, spec };
  return loaded;
}

/**
 * Turns OpenAPI 3.0 schema dialect into JSON Schema that ajv validates: `nullable: true`
 * becomes a `null` type (or an `anyOf` with null where there is no `type`), and, with
 * `rebaseRefs`, local `#/components/...` refs point into the registered spec document.
 */
function normalize(schema: unknown, rebaseRefs: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((item) => normalize(item, rebaseRefs));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  let nullable = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' && typeof value === 'boolean') nullable = value;
    else if (key === '$ref' && typeof value === 'string')
      out[key] = rebaseRefs && value.startsWith('#/') ? `${SPEC_ID}${value}` : value;
    else out[key] = normalize(value, rebaseRefs);
  }
  if (!nullable) return out;
  if (typeof out.type === 'string' || Array.isArray(out.type)) {
    out.type = [...new Set([...(Array.isArray(out.type) ? out.type : [out.type]), 'null'])];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function rebase(schema: unknown): unknown {
  return normalize(schema, true);
}

function resolve<T>(spec: OpenApiDocument, value: T & { $ref?: string }): T {
  if (!value.$ref) return value;
  const path = value.$ref.replace(/^#\//, '').split('/');
  let node: unknown = spec;
  for (const key of path)
    node = (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  return resolve(spec, node as T & { $ref?: string });
}

export function matchOperation(method: string, pathname: string): MatchedOperation | undefined {
  const { routes } = load();
  for (const route of routes.get(method.toUpperCase()) ?? []) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const pathParams: Record<string, string> = {};
    route.names.forEach((name, index) => {
      pathParams[name] = decodeURIComponent(match[index + 1]);
    });
    return {
      operationId: route.operation.operationId,
      method: route.method,
      template: route.template,
      pathParams,
    };
  }
  return undefined;
}

function compile(method: string, template: string): CompiledOperation {
  const key = `${method} ${template}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const { spec, bodyAjv, paramAjv } = load();
  const operation = spec.paths[template][method.toLowerCase()];
  const parameters = (operation.parameters ?? []).map((parameter) => resolve(spec, parameter));
  const objectOf = (where: 'path' | 'query') => {
    const selected = parameters.filter((parameter) => parameter.in === where);
    return {
      type: 'object',
      properties: Object.fromEntries(
        selected.map((parameter) => [parameter.name, rebase(parameter.schema ?? {})]),
      ),
      required: selected.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    };
  };
  const requestBody = operation.requestBody ? resolve(spec, operation.requestBody) : undefined;
  const bodySchema = requestBody?.content?.['application/json']?.schema;
  const result: CompiledOperation = {
    pathParams: paramAjv.compile(objectOf('path')),
    query: paramAjv.compile(objectOf('query')),
    body: bodySchema ? bodyAjv.compile(rebase(bodySchema) as Record<string, unknown>) : undefined,
    bodyRequired: requestBody?.required === true,
  };
  compiled.set(key, result);
  return result;
}

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map((error) =>
    `${where}${error.instancePath || ''} ${error.message ?? 'is invalid'}`.trim(),
  );
}

/**
 * Checks a request against its operation as GitHub does: a path parameter of the wrong
 * type is no route at all (404), a bad query or body is 422 Unprocessable Entity.
 */
export function validateRequest(
  matched: MatchedOperation,
  query: Record<string, string>,
  body: unknown,
): ValidationFailure | undefined {
  const operation = compile(matched.method, matched.template);
  const pathParams = { ...matched.pathParams };
  if (!operation.pathParams(pathParams)) {
    return { status: 404, message: 'Not Found', errors: describe(operation.pathParams.errors, 'path') };
  }
  const queryCopy = { ...query };
  if (!operation.query(queryCopy)) {
    return { status: 422, message: 'Invalid request.', errors: describe(operation.query.errors, 'query') };
  }
  if (body === undefined) {
    if (operation.bodyRequired)
      return { status: 422, message: 'Invalid request.', errors: ['body is required'] };
    return undefined;
  }
  if (operation.body && !operation.body(body)) {
    const errors = describe(operation.body.errors, 'body');
    return { status: 422, message: `Invalid request.\n\n${errors.join('\n')}`, errors };
  }
  return undefined;
}
