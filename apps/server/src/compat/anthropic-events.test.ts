import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import {
  completeWithTools,
  cutByLength,
  thinkingThenText,
  thinkingThenToolCall,
} from './__fixtures__/native-chunks.js';
import { replaySse } from './__fixtures__/replay-sse.js';
import { createAnthropicStreamConverter, toAnthropicMessage } from './anthropic-events.js';
import type { SseEvent } from './sse.js';

function convert(chunks: readonly object[]): SseEvent[] {
  const converter = createAnthropicStreamConverter('msg_1', 'gpt-oss:120b');
  return chunks.flatMap((chunk) => converter.push(chunk));
}

function shape(events: readonly SseEvent[]): string[] {
  return events.map((item) => {
    const data = item.data as { index?: number; content_block?: { type: string }; delta?: { type?: string } };
    const detail = data.content_block?.type ?? data.delta?.type ?? '';
    return [item.event, data.index, detail].filter((part) => part !== undefined && part !== '').join(':');
  });
}

describe('createAnthropicStreamConverter', () => {
  it('closes the thinking block before the text block opens', () => {
    expect(shape(convert(thinkingThenText))).toEqual([
      'message_start',
      'ping',
      'content_block_start:0:thinking',
      'content_block_delta:0:thinking_delta',
      'content_block_delta:0:thinking_delta',
      'content_block_stop:0',
      'content_block_start:1:text',
      'content_block_delta:1:text_delta',
      'content_block_delta:1:text_delta',
      'content_block_stop:1',
      'message_delta',
      'message_stop',
    ]);
  });

  it('turns a native tool call into a tool_use block and stop_reason tool_use', () => {
    const events = convert(thinkingThenToolCall);
    expect(shape(events)).toEqual([
      'message_start',
      'ping',
      'content_block_start:0:thinking',
      'content_block_delta:0:thinking_delta',
      'content_block_stop:0',
      'content_block_start:1:tool_use',
      'content_block_delta:1:input_json_delta',
      'content_block_stop:1',
      'message_delta',
      'message_stop',
    ]);
    const start = events[5]?.data as { content_block: Record<string, unknown> };
    expect(start.content_block).toMatchObject({ id: 'call_abc123', name: 'weather' });
    const delta = events.find((item) => item.event === 'message_delta')?.data;
    expect(delta).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 21, output_tokens: 9 },
    });
  });

  it('says max_tokens when the answer was cut by num_predict', () => {
    const delta = convert(cutByLength).find((item) => item.event === 'message_delta')?.data;
    expect(delta).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
  });

  it('ends a failed stream with an error event and no message_stop', () => {
    const converter = createAnthropicStreamConverter('msg_1', 'm');
    converter.push(thinkingThenText[0] as object);
    expect(converter.fail('upstream stream interrupted')).toEqual([
      {
        event: 'error',
        data: { type: 'error', error: { type: 'api_error', message: 'upstream stream interrupted' } },
      },
    ]);
  });

  it('produces events the real SDK assembles into thinking and tool_use blocks', async () => {
    const server = await replaySse(convert(thinkingThenToolCall));
    try {
      const client = new Anthropic({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
      const message = await client.messages
        .stream({ model: 'gpt-oss:120b', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
        .finalMessage();
      expect(message.content).toEqual([
        expect.objectContaining({ type: 'thinking', thinking: 'Need the weather tool.' }),
        expect.objectContaining({
          type: 'tool_use',
          id: 'call_abc123',
          name: 'weather',
          input: { city: 'Oslo' },
        }),
      ]);
      expect(message.stop_reason).toBe('tool_use');
    } finally {
      await server.close();
    }
  });
});

describe('toAnthropicMessage', () => {
  it('puts thinking first, then each tool call as tool_use with object input', () => {
    const message = toAnthropicMessage('msg_1', 'gpt-oss:120b', completeWithTools);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      stop_reason: 'tool_use',
      usage: { input_tokens: 21, output_tokens: 9 },
      content: [
        { type: 'thinking', thinking: 'Two cities.' },
        { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Oslo' } },
        { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Bergen' } },
      ],
    });
  });
});
