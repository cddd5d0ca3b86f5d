import { describe, expect, it } from 'vitest';
import { completeWithLogprobs, completeWithTools, cutByLength } from './__fixtures__/native-chunks.js';
import { toChatCompletion } from './chat-completion-response.js';
import { legacyLogprobs } from './completions.js';

describe('toChatCompletion', () => {
  it('gives a tool call without an id, or with an empty one, a fresh call id', () => {
    const calls = [
      { function: { name: 'weather', arguments: { city: 'Oslo' } } },
      { id: '', function: { name: 'weather', arguments: { city: 'Bergen' } } },
    ];
    const answer = { ...completeWithTools, message: { ...completeWithTools.message, tool_calls: calls } };
    const completion = toChatCompletion('chatcmpl-2', 1, 'gpt-oss:120b', answer);
    const { choices } = completion as { choices: { message: { tool_calls?: { id: string }[] } }[] };
    const ids = (choices[0]?.message.tool_calls ?? []).map((call) => call.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^call_[0-9a-f]{16,}$/);
    expect(new Set(ids).size).toBe(2);
  });

  it('turns native tool calls into OpenAI tool_calls with JSON-text arguments and finish_reason tool_calls', () => {
    const completion = toChatCompletion('chatcmpl-1', 1, 'gpt-oss:120b', completeWithTools);
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: '',
          reasoning: 'Two cities.',
          tool_calls: [
            {
              index: 0,
              id: 'call_1',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Oslo"}' },
            },
            {
              index: 1,
              id: 'call_2',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Bergen"}' },
            },
          ],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
    expect(completion.usage).toEqual({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
  });

  it('passes native logprobs back as choices[].logprobs.content', () => {
    const completion = toChatCompletion('chatcmpl-1', 1, 'm', completeWithLogprobs) as {
      choices: { logprobs: unknown }[];
    };
    expect(completion.choices[0]?.logprobs).toEqual({ content: completeWithLogprobs.logprobs });
  });

  it('says length when num_predict cut the answer', () => {
    const completion = toChatCompletion('chatcmpl-1', 1, 'm', cutByLength.at(-1) as object) as {
      choices: { finish_reason: string }[];
    };
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });
});

describe('legacyLogprobs', () => {
  it('builds the legacy completions logprobs object', () => {
    expect(legacyLogprobs(completeWithLogprobs)).toEqual({
      tokens: ['Teal'],
      token_logprobs: [-0.105],
      top_logprobs: [{ Teal: -0.105, Blue: -2.3 }],
      text_offset: [0],
    });
    expect(legacyLogprobs({ response: 'x' })).toBeNull();
  });
});
