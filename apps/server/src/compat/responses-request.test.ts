import { describe, expect, it } from 'vitest';
import { responsesToNativeChat } from './responses-request.js';
import { responsesRequestSchema } from './responses-schema.js';
import { validateBody } from './validate-body.js';

const translate = (body: unknown) =>
  responsesToNativeChat(validateBody(responsesRequestSchema, body, '/v1/responses'));

describe('responsesToNativeChat', () => {
  it('turns developer into system, joins text parts and passes base64 images', () => {
    const request = translate({
      model: 'm',
      input: [
        { type: 'message', role: 'developer', content: 'Rules.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What ' },
            { type: 'input_text', text: 'is this?' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
          ],
        },
        { role: 'assistant', content: [{ type: 'output_text', text: 'A dot.' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Rules.' },
      { role: 'user', content: 'What is this?', images: ['iVBORw0KGgo='] },
      { role: 'assistant', content: 'A dot.' },
    ]);
  });

  it('gives a reasoning item (encrypted_content first) to the next assistant message', () => {
    const request = translate({
      input: [
        { role: 'user', content: 'hi' },
        {
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'ignored' }],
          encrypted_content: 'think',
        },
        { role: 'assistant', content: 'hello' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello', thinking: 'think' },
    ]);
  });

  it('accepts a function_call_output given as content parts', () => {
    const request = translate({
      input: [
        { type: 'function_call', call_id: 'c1', name: 'ls', arguments: '' },
        { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'a b' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', function: { name: 'ls', arguments: {} } }] },
      { role: 'tool', content: 'a b', tool_call_id: 'c1', tool_name: 'ls' },
    ]);
  });

  it('maps text.format and reasoning.effort, and leaves built-in tools out', () => {
    const request = translate({
      input: 'x',
      text: { format: { type: 'json_schema', name: 's', schema: { type: 'object' } } },
      reasoning: { effort: 'minimal' },
      tools: [{ type: 'web_search' }, { type: 'function', name: 'f', parameters: null }],
    });
    expect(request.format).toEqual({ type: 'object' });
    expect(request.think).toBe('low');
    expect(request.tools).toEqual([
      { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } },
    ]);
  });

  it('refuses state it does not keep, and bad arguments, with a 400 naming the field', () => {
    expect(() => translate({ input: 'x', conversation: 'conv_1' })).toThrow(
      /"conversation" is not supported/,
    );
    expect(() =>
      translate({ input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{oops' }] }),
    ).toThrow(/"input\[0\]\.arguments" is not valid JSON/);
    expect(() => translate({ input: 'x', reasoning: { effort: 'turbo' } })).toThrow(/"reasoning\.effort"/);
    expect(() => translate({ input: [{ type: 'telepathy' }] })).toThrow(/"input\[0\]\.type"/);
  });
});
