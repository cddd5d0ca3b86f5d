import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GatewayError } from '../gateway-error.js';
import { chatCompletionsSchema } from './chat-completions-schema.js';
import { validateBody } from './validate-body.js';

const problem = (schema: z.ZodType, body: unknown): string => {
  try {
    validateBody(schema, body, '/v1/x');
  } catch (error) {
    expect(GatewayError.isInstance(error) && error.status).toBe(400);
    return (error as Error).message;
  }
  throw new Error('expected a validation error');
};

describe('validateBody', () => {
  it('returns the parsed body when it is valid', () => {
    expect(validateBody(z.object({ a: z.number() }), { a: 1 }, '/v1/x')).toEqual({ a: 1 });
  });

  it('names the field and the accepted types of a union', () => {
    expect(problem(chatCompletionsSchema, { messages: [{ role: 'user', content: 3 }] })).toBe(
      'invalid /v1/x request: "messages[0].content": expected string or array',
    );
  });

  it('follows the union branch that got furthest into the value', () => {
    const schema = z.object({ input: z.union([z.string(), z.array(z.object({ text: z.string() }))]) });
    expect(problem(schema, { input: [{ text: 5 }] })).toMatch(
      /^invalid \/v1\/x request: "input\[0\]\.text": .*string/,
    );
  });

  it('says "body" for a problem at the top level', () => {
    expect(problem(z.object({}), 'text')).toMatch(/"body": /);
  });
});
