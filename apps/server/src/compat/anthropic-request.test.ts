import { describe, expect, it } from 'vitest';
import { anthropicToNativeChat } from './anthropic-request.js';
import { anthropicMessagesSchema } from './anthropic-schema.js';
import { validateBody } from './validate-body.js';

const translate = (body: unknown) =>
  anthropicToNativeChat(validateBody(anthropicMessagesSchema, body, '/v1/messages'));

describe('anthropicToNativeChat', () => {
  it('joins system blocks and passes base64 images as native images', () => {
    const request = translate({
      model: 'm',
      max_tokens: 5,
      system: [
        { type: 'text', text: 'One.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Two.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'One.\n\nTwo.' },
      { role: 'user', content: 'What is this?', images: ['iVBORw0KGgo='] },
    ]);
  });

  it('refuses a URL image source with a 400 naming the block', () => {
    expect(() =>
      translate({
        max_tokens: 5,
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] },
        ],
      }),
    ).toThrow(/messages\[0\]\.content\[0\]: only base64/);
  });

  it('maps thinking and output_config.effort onto think', () => {
    const base = { max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
    expect(translate({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }).think).toBe(true);
    expect(translate({ ...base, thinking: { type: 'disabled' } }).think).toBe(false);
    expect(translate({ ...base, output_config: { effort: 'xhigh' } }).think).toBe('high');
    expect(translate(base).think).toBeUndefined();
    expect(() => translate({ ...base, output_config: { effort: 'huge' } })).toThrow(/output_config\.effort/);
  });

  it('puts tool results before the rest of a user turn', () => {
    const request = translate({
      max_tokens: 5,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ls', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'and now?' },
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'a b' }] },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ id: 't1', function: { name: 'ls', arguments: {} } }] },
      { role: 'tool', content: 'a b', tool_call_id: 't1', tool_name: 'ls' },
      { role: 'user', content: 'and now?' },
    ]);
  });

  it('round-trips server_tool_use and web_search_tool_result blocks as a tool call and its result', () => {
    const request = translate({
      max_tokens: 5,
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 's1', name: 'web_search', input: { query: 'ollama' } },
            {
              type: 'web_search_tool_result',
              tool_use_id: 's1',
              content: [{ type: 'web_search_result', title: 'Ollama', url: 'https://ollama.com' }],
            },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 's1', function: { name: 'web_search', arguments: { query: 'ollama' } } }],
      },
      {
        role: 'tool',
        content: '- Ollama: https://ollama.com\n',
        tool_call_id: 's1',
        tool_name: 'web_search',
      },
    ]);
  });

  it('names the field of a wrong type', () => {
    expect(() => translate({ max_tokens: 'five', messages: [] })).toThrow(/"max_tokens": .*number/);
    expect(() => translate({ max_tokens: 5, messages: [{ role: 'robot', content: 'x' }] })).toThrow(
      /"messages\[0\]\.role"/,
    );
  });
});
