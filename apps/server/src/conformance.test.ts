import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CLOUD_MODEL,
  EMBED_MODEL,
  LOCAL_MODEL,
  postJson,
  useGateway,
} from './__fixtures__/gateway-fixture.js';
import { gatewayRoutes } from './gateway-routes.js';

interface Spec {
  readonly paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
}

const spec = parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'ollama-openapi.yaml'), 'utf8'),
) as Spec & Record<string, unknown>;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ ...spec, $id: 'ollama' });

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];

/** The response schema the spec gives for a route, status and content type. */
function validatorFor(path: string, method: string, contentType: string) {
  const schema = spec.paths[path]?.[method]?.responses?.['200']?.content?.[contentType]?.schema;
  if (schema === undefined)
    throw new Error(`the spec has no ${contentType} 200 schema for ${method} ${path}`);
  const pointer = `${path.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return ajv.compile({
    $ref: `ollama#/paths/${pointer}/${method}/responses/200/content/${contentType.replace(/\//g, '~1')}/schema`,
  });
}

function expectValid(path: string, method: string, contentType: string, value: unknown): void {
  const validate = validatorFor(path, method, contentType);
  const ok = validate(value);
  expect(
    ok,
    `${method.toUpperCase()} ${path}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`,
  ).toBe(true);
}

describe("the gateway's route table against Ollama's OpenAPI file", () => {
  it('serves every path and method of the spec with a route of its own (not only the /api/* passthrough)', () => {
    const routes = gatewayRoutes().filter((route) => !route.path.endsWith('/*'));
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(spec.paths)) {
      const template = path.replace(/\{(\w+)\}/g, ':$1');
      for (const method of Object.keys(operations).filter((name) => METHODS.includes(name))) {
        const route = routes.find((candidate) => candidate.path.replace(/\*$/, '') === template);
        if (route?.methods[method.toUpperCase()] === undefined)
          missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('the validators themselves', () => {
  it('reject the old cloud entry of /api/tags (families null), so a pass means something', () => {
    const validate = validatorFor('/api/tags', 'get', 'application/json');
    const entry = { name: 'm', model: 'm', modified_at: '1970-01-01T00:00:00Z', size: 0, digest: '' };
    expect(validate({ models: [{ ...entry, details: { families: null } }] })).toBe(false);
    expect(validate({ models: [{ ...entry, details: { families: [] } }] })).toBe(true);
    expect(validatorFor('/api/version', 'get', 'application/json')({ version: 3 })).toBe(false);
  });
});

describe("the gateway's /api/* answers validate against Ollama's OpenAPI file", () => {
  const fixture = useGateway();
  const messages = [{ role: 'user', content: 'Why is the sky blue?' }];

  it('GET /api/tags, /api/ps and /api/version', async () => {
    expectValid('/api/tags', 'get', 'application/json', await (await fixture.fetch('/api/tags')).json());
    expectValid('/api/ps', 'get', 'application/json', await (await fixture.fetch('/api/ps')).json());
    expectValid(
      '/api/version',
      'get',
      'application/json',
      await (await fixture.fetch('/api/version')).json(),
    );
  });

  it('POST /api/show, local and cloud', async () => {
    for (const model of [LOCAL_MODEL, CLOUD_MODEL]) {
      const response = await postJson(fixture, '/api/show', { model });
      expect(response.status).toBe(200);
      expectValid('/api/show', 'post', 'application/json', await response.json());
    }
  });

  it('POST /api/chat and /api/generate, whole and streamed', async () => {
    const routes = [
      ['/api/chat', { model: CLOUD_MODEL, messages }],
      ['/api/generate', { model: CLOUD_MODEL, prompt: 'hello' }],
    ] as const;
    for (const [path, body] of routes) {
      const whole = await postJson(fixture, path, { ...body, stream: false });
      expectValid(path, 'post', 'application/json', await whole.json());
      const streamed = await postJson(fixture, path, body);
      expect(streamed.headers.get('content-type')).toBe('application/x-ndjson');
      const lines = (await streamed.text()).trim().split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expectValid(path, 'post', 'application/x-ndjson', JSON.parse(line));
    }
  });

  it('POST /api/embed', async () => {
    const response = await postJson(fixture, '/api/embed', { model: EMBED_MODEL, input: ['a', 'b'] });
    expectValid('/api/embed', 'post', 'application/json', await response.json());
  });
});
