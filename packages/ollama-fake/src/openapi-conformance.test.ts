// The fake's /api/* answers, streamed and not, validate against Ollama's own OpenAPI description
// (a copy of ../shared/reference/ollama-openapi.yaml in __fixtures__), and every path it lists is served.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startOllamaFake } from './start-ollama-fake.js';
import type { OllamaFake } from './types.js';

interface MediaType {
  schema?: { $ref?: string };
}
interface Operation {
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
type Spec = { paths: Record<string, Record<string, Operation>> };

const spec = parse(
  readFileSync(new URL('./__fixtures__/ollama-openapi.yaml', import.meta.url), 'utf8'),
) as Spec;
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(spec, 'ollama');

let fake: OllamaFake;
const model = 'qwen3:8b';
const messages = [{ role: 'user', content: 'hi' }];

beforeAll(async () => {
  fake = await startOllamaFake({ models: [model, 'nomic-embed-text'], chunks: 2 });
});
afterAll(() => fake.close());

/** A valid request body per path and method (the spec's own examples need models the fake names differently). */
const bodies: Record<string, unknown> = {
  'post /api/generate': {
    model,
    prompt: 'why?',
    think: true,
    logprobs: true,
    top_logprobs: 2,
    format: 'json',
  },
  'post /api/chat': {
    model,
    messages,
    think: 'low',
    logprobs: true,
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
  },
  'post /api/embed': { model: 'nomic-embed-text', input: ['a', 'b'] },
  'post /api/show': { model },
  'post /api/create': { model: 'made:1b', from: model, system: 'hi' },
  'post /api/copy': { source: model, destination: 'copied:1b' },
  'post /api/pull': { model: 'pulled:1b' },
  'post /api/push': { model },
  'delete /api/delete': { model: 'copied:1b' },
};
const streamable = new Set([
  'post /api/generate',
  'post /api/chat',
  'post /api/create',
  'post /api/pull',
  'post /api/push',
]);
const order = [...Object.keys(bodies), 'get /api/tags', 'get /api/ps', 'get /api/version'];

function validator(operation: Operation, type: string) {
  const ref = operation.responses['200']?.content?.[type]?.schema?.$ref;
  if (ref === undefined) return undefined;
  const validate = ajv.getSchema(`ollama${ref}`);
  if (!validate) throw new Error(`schema ${ref} not found`);
  return validate;
}

async function call(key: string, stream: boolean): Promise<Response> {
  const [method, path] = key.split(' ') as [string, string];
  const body = bodies[key];
  return fetch(`${fake.url}${path}`, {
    method: method.toUpperCase(),
    ...(body === undefined
      ? {}
      : { body: JSON.stringify({ ...(body as object), ...(streamable.has(key) ? { stream } : {}) }) }),
  });
}

describe("the fake against Ollama's OpenAPI file", () => {
  it('serves every path and method the spec lists', () => {
    const listed = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m} ${path}`),
    );
    expect(listed.sort()).toEqual([...order].sort());
  });

  it('has validators that can fail (a wrong type, cloud-style families: null)', () => {
    const chat = validator(spec.paths['/api/chat']!.post!, 'application/json')!;
    expect(chat({ model, done: 'yes' })).toBe(false);
    const tags = validator(spec.paths['/api/tags']!.get!, 'application/json')!;
    expect(tags({ models: [{ name: 'x', details: { families: null } }] })).toBe(false);
  });

  for (const key of order) {
    for (const stream of streamable.has(key) ? [false, true] : [false]) {
      it(`${key}${stream ? ' (streamed)' : ''} answers what the spec describes`, async () => {
        const [method, path] = key.split(' ') as [string, string];
        const operation = spec.paths[path]![method]!;
        if (key === 'delete /api/delete') await call('post /api/copy', false);
        const response = await call(key, stream);
        expect(response.status, await response.clone().text()).toBe(200);
        const text = await response.text();
        if (!stream) {
          const validate = validator(operation, 'application/json');
          if (validate === undefined) return;
          const ok = validate(JSON.parse(text));
          expect(ok, JSON.stringify(validate.errors)).toBe(true);
          return;
        }
        expect(response.headers.get('content-type')).toBe('application/x-ndjson');
        const validate = validator(operation, 'application/x-ndjson')!;
        const lines = text.trimEnd().split('\n');
        expect(lines.length).toBeGreaterThan(1);
        for (const line of lines)
          expect(validate(JSON.parse(line)), `${line}: ${JSON.stringify(validate.errors)}`).toBe(true);
      });
    }
  }
});

describe('the ollama client on the model-management routes', () => {
  it('pulls with progress, then the model is listed', async () => {
    const client = new Ollama({ host: fake.url });
    const statuses: string[] = [];
    let completed = 0;
    let total = 0;
    for await (const part of await client.pull({ model: 'llama3.2:1b', stream: true })) {
      statuses.push(part.status);
      if (part.total) {
        total = part.total;
        completed = part.completed;
      }
    }
    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.slice(-3)).toEqual(['verifying sha256 digest', 'writing manifest', 'success']);
    expect(statuses.some((status) => /^pulling [0-9a-f]{12}$/.test(status))).toBe(true);
    expect(completed).toBe(total);
    expect((await client.list()).models.map((m) => m.name)).toContain('llama3.2:1b');
    expect((await client.pull({ model: 'llama3.2:1b' })).status).toBe('success');
  });

  it('creates, copies, pushes and deletes', async () => {
    const client = new Ollama({ host: fake.url });
    const created: string[] = [];
    for await (const part of await client.create({
      model: 'mario:latest',
      from: model,
      system: 'You are Mario',
      stream: true,
    })) {
      created.push(part.status);
    }
    expect(created.at(-1)).toBe('success');
    expect((await client.show({ model: 'mario' })).capabilities).toEqual(
      (await client.show({ model })).capabilities,
    );
    await client.copy({ source: 'mario', destination: 'luigi' });
    const pushed: string[] = [];
    for await (const part of await client.push({ model: 'luigi', stream: true })) pushed.push(part.status);
    expect(pushed[0]).toBe('retrieving manifest');
    expect(pushed.at(-1)).toBe('success');
    await client.delete({ model: 'luigi' });
    const names = (await client.list()).models.map((m) => m.name);
    expect(names).toContain('mario:latest');
    expect(names).not.toContain('luigi:latest');
    const error = await client.delete({ model: 'luigi' }).catch((e: { status_code?: number }) => e);
    expect((error as { status_code?: number }).status_code).toBe(404);
  });

  it('stores blobs by digest: HEAD 404 before, POST 201, HEAD 200 after, a wrong digest 400', async () => {
    const data = Buffer.from([0, 1, 2, 255, 254]);
    const digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(data).digest('hex')}`;
    expect((await fetch(`${fake.url}/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${fake.url}/api/blobs/${digest}`, { method: 'POST', body: data })).status).toBe(201);
    expect((await fetch(`${fake.url}/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    const wrong = await fetch(`${fake.url}/api/blobs/sha256:${'0'.repeat(64)}`, {
      method: 'POST',
      body: data,
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/^digest mismatch/);
    expect((await fetch(`${fake.url}/api/blobs/nope`, { method: 'HEAD' })).status).toBe(400);
    // ollama-js 0.6 has no `files` in its CreateRequest type: plain fetch
    const made = await fetch(`${fake.url}/api/create`, {
      method: 'POST',
      body: JSON.stringify({ model: 'fromfile', files: { 'model.gguf': digest }, stream: false }),
    });
    expect(await made.json()).toEqual({ status: 'success' });
    const unknown = await fetch(`${fake.url}/api/create`, {
      method: 'POST',
      body: JSON.stringify({ model: 'fromfile2', files: { 'model.gguf': `sha256:${'1'.repeat(64)}` } }),
    });
    expect(unknown.status).toBe(400);
  });

  it('answers /api/status', async () => {
    const response = await fetch(`${fake.url}/api/status`);
    expect(await response.json()).toEqual({ cloud: { disabled: false, source: 'default' } });
  });
});
