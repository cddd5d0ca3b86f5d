import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MODEL, type Fixture, startFixture } from './__fixtures__/gateway-fixture.js';

/** A value of any JSON type except the ones listed. */
function wrong(...except: ('string' | 'number' | 'boolean' | 'object' | 'array')[]) {
  const all = {
    string: fc.string({ maxLength: 8 }),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    boolean: fc.boolean(),
    object: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    array: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  };
  return fc.oneof(
    ...(Object.entries(all) as [keyof typeof all, fc.Arbitrary<unknown>][])
      .filter(([name]) => !except.includes(name))
      .map(([, arbitrary]) => arbitrary),
  );
}

const amplifying = fc.constant({ length: 3e7 });
const message = (content: fc.Arbitrary<unknown>, images: fc.Arbitrary<unknown>) =>
  fc.record({ role: fc.constant('user'), content, images });

/** Bodies each route must refuse: one field of a wrong type (at any depth), the rest plausible. */
const badBodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  '/api/chat': fc.oneof(
    fc.record({ model: wrong('string'), messages: fc.constant([]) }),
    fc.record({ model: fc.constant(CLOUD_MODEL), messages: wrong('array') }),
    fc.record({
      model: fc.constant(CLOUD_MODEL),
      messages: fc.array(message(wrong('string'), fc.constant([])), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({
      model: fc.constant(CLOUD_MODEL),
      messages: fc.tuple(
        message(fc.constant('hi'), fc.array(fc.oneof(amplifying, wrong('string')), { minLength: 1 })),
      ),
    }),
    fc.record({ model: fc.constant(CLOUD_MODEL), messages: fc.constant([]), options: wrong('object') }),
    fc.record({
      model: fc.constant(CLOUD_MODEL),
      messages: fc.constant([]),
      think: wrong('boolean', 'string'),
    }),
    fc.record({ model: fc.constant(CLOUD_MODEL), messages: fc.constant([]), tools: wrong('array') }),
    fc.record({ model: fc.constant(CLOUD_MODEL), messages: fc.constant([]), stream: wrong('boolean') }),
  ),
  '/api/generate': fc.oneof(
    fc.record({ model: fc.constant(CLOUD_MODEL), prompt: wrong('string') }),
    fc.record({
      model: fc.constant(CLOUD_MODEL),
      prompt: fc.constant('x'),
      images: fc.array(fc.oneof(amplifying, wrong('string')), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      model: fc.constant(CLOUD_MODEL),
      prompt: fc.constant('x'),
      format: wrong('string', 'object'),
    }),
    fc.record({
      model: fc.constant(CLOUD_MODEL),
      prompt: fc.constant('x'),
      keep_alive: wrong('string', 'number'),
    }),
  ),
  '/api/embed': fc.record({ model: fc.constant('nomic-embed-text'), input: wrong('string', 'array') }),
  '/api/embeddings': fc.record({ model: fc.constant('nomic-embed-text'), prompt: wrong('string') }),
  '/api/show': fc.record({ model: wrong('string') }),
  '/api/pull': fc.oneof(
    fc.record({ model: wrong('string') }),
    fc.record({ model: fc.constant('m'), stream: wrong('boolean') }),
  ),
  '/api/push': fc.record({ model: wrong('string') }),
  '/api/create': fc.record({ model: fc.constant('m'), messages: wrong('array') }),
  '/api/copy': fc.record({ source: wrong('string'), destination: fc.constant('b') }),
  '/api/delete': fc.record({ model: wrong('string') }),
};

describe('generated bad bodies on the native routes', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('get only 4xx JSON errors, send nothing upstream, queue nothing, and leave the process serving', async () => {
    const route = fc
      .constantFrom(...Object.keys(badBodies))
      .chain((path) =>
        (badBodies[path] as fc.Arbitrary<Record<string, unknown>>).map((body) => ({ path, body })),
      );
    const queued = async () => (await fixture.gateway.runtime.storage.queue.stats()).counts.ready ?? 0;
    // background calls (the cloud usage poller, the cloud model list) are not a body sent upstream
    const background = new Set(['/api/balance', '/api/usage', '/api/tags', '/api/version']);
    const upstream = () =>
      [...fixture.cloud.requests, ...fixture.local.requests].filter(
        (request) => !background.has(request.path),
      ).length;
    const queuedBefore = await queued();
    await fc.assert(
      fc.asyncProperty(route, async ({ path, body }) => {
        const before = upstream();
        const response = await fixture.fetch(path, {
          method: path === '/api/delete' ? 'DELETE' : 'POST',
          body: JSON.stringify(body),
        });
        expect(response.status, `${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        const answer = (await response.json()) as { error?: unknown };
        expect(typeof answer.error).toBe('string');
        expect(upstream(), `${path} ${JSON.stringify(body)} went upstream`).toBe(before);
      }),
      {
        numRuns: 150,
        examples: [
          [
            {
              path: '/api/chat',
              body: {
                model: CLOUD_MODEL,
                messages: [{ role: 'user', content: 'x', images: [{ length: 3e7 }] }],
              },
            },
          ],
        ],
      },
    );
    expect(await queued()).toBe(queuedBefore);
    expect((await fixture.fetch('/healthz')).status).toBe(200);
  });
});
