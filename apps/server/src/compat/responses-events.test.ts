import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { completeWithTools, thinkingThenText, thinkingThenToolCall } from './__fixtures__/native-chunks.js';
import { replaySse } from './__fixtures__/replay-sse.js';
import { createResponsesStreamConverter, toResponsesResponse } from './responses-events.js';
import type { SseEvent } from './sse.js';

const context = { id: 'resp_1', model: 'gpt-oss:120b', request: { input: 'hi' }, createdAt: 1_700_000_000 };

function convert(chunks: readonly object[]): SseEvent[] {
  const converter = createResponsesStreamConverter(context);
  return chunks.flatMap((chunk) => converter.push(chunk));
}

describe('createResponsesStreamConverter', () => {
  it('sends a reasoning item, closed before the message item opens', () => {
    expect(convert(thinkingThenText).map((item) => item.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('produces events the real openai SDK assembles (reasoning, then function_call)', async () => {
    const server = await replaySse(convert(thinkingThenToolCall));
    try {
      const client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
      const final = await client.responses.stream({ model: 'gpt-oss:120b', input: 'hi' }).finalResponse();
      expect(final.status).toBe('completed');
      expect(final.output).toEqual([
        expect.objectContaining({
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'Need the weather tool.' }],
        }),
        expect.objectContaining({
          type: 'function_call',
          call_id: 'call_abc123',
          name: 'weather',
          arguments: '{"city":"Oslo"}',
        }),
      ]);
      expect(final.usage).toMatchObject({ input_tokens: 21, output_tokens: 9, total_tokens: 30 });
    } finally {
      await server.close();
    }
  });

  it('assembles text deltas in the SDK and numbers every event', async () => {
    const events = convert(thinkingThenText);
    expect(events.map((item) => (item.data as { sequence_number: number }).sequence_number)).toEqual(
      events.map((_, index) => index),
    );
    const server = await replaySse(events);
    try {
      const client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
      const final = await client.responses.stream({ model: 'gpt-oss:120b', input: 'hi' }).finalResponse();
      expect(final.output_text).toBe('Teal.');
    } finally {
      await server.close();
    }
  });

  it('fails with response.failed carrying the items finished so far', () => {
    const converter = createResponsesStreamConverter(context);
    converter.push(thinkingThenText[0] as object);
    converter.push(thinkingThenText[2] as object);
    const [failed] = converter.fail('stream interrupted');
    expect(failed?.event).toBe('response.failed');
    expect(failed?.data).toMatchObject({
      response: { status: 'failed', error: { code: 'server_error', message: 'stream interrupted' } },
    });
  });
});

describe('toResponsesResponse', () => {
  it('lists the reasoning item and one function_call item per tool call', () => {
    const response = toResponsesResponse(context, completeWithTools);
    expect(response.output).toEqual([
      expect.objectContaining({ type: 'reasoning', encrypted_content: 'Two cities.' }),
      expect.objectContaining({ type: 'function_call', call_id: 'call_1', arguments: '{"city":"Oslo"}' }),
      expect.objectContaining({ type: 'function_call', call_id: 'call_2', arguments: '{"city":"Bergen"}' }),
    ]);
    expect(response.status).toBe('completed');
  });
});
