import { describe, expect, it } from 'vitest';
import { GatewayError } from './gateway-error.js';
import {
  chatRequestSchema,
  copyRequestSchema,
  embedRequestSchema,
  generateRequestSchema,
} from './native-schemas.js';
import { validateBody } from './validate-body.js';

function rejection(schema: Parameters<typeof validateBody>[0], body: unknown): string {
  try {
    validateBody(schema, body);
  } catch (error) {
    expect(GatewayError.isInstance(error) && error.status).toBe(400);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('the native request schemas', () => {
  it('name the field, what was expected and what came', () => {
    expect(rejection(chatRequestSchema, { messages: 'hi' })).toBe(
      'invalid request: "messages" must be an array, got string',
    );
    expect(
      rejection(chatRequestSchema, { messages: [{ role: 'user', content: 'x', images: [{ length: 3e7 }] }] }),
    ).toBe('invalid request: "messages[0].images[0]" must be a base64 string, got an object');
    expect(rejection(generateRequestSchema, { prompt: 'x', images: [{ length: 3e7 }] })).toMatch(
      /"images\[0\]"/,
    );
    expect(rejection(chatRequestSchema, { options: { temperature: 'hot' } })).toMatch(
      /"options.temperature" must be a number/,
    );
    expect(rejection(chatRequestSchema, { think: 'huge' })).toMatch(/"think"/);
    expect(rejection(embedRequestSchema, { input: [1, 2] })).toMatch(/"input"/);
    expect(rejection(copyRequestSchema, { source: 'a' })).toMatch(
      /"destination" must be a string, got undefined/,
    );
    expect(rejection(chatRequestSchema, [])).toMatch(/the body must be a JSON object/);
  });

  it('refuse nesting past the cap without overflowing the stack', () => {
    const deep = JSON.parse(`{"format":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(rejection(chatRequestSchema, deep)).toMatch(/nests deeper than 64/);
  });

  it('keep fields they do not know, unchanged', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x', future: { a: 1 } }], shiny_new: [1] };
    expect(validateBody(chatRequestSchema, body)).toEqual(body);
  });
});
