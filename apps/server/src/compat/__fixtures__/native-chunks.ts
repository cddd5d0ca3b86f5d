/**
 * Native `/api/chat` stream chunks as Ollama sends them (shapes recorded from gpt-oss through Ollama 0.12+:
 * thinking streams first in `message.thinking`, then content; a tool call arrives whole in one chunk with
 * object arguments; the final chunk has `done: true`, `done_reason` and the metrics).
 */
const base = { model: 'gpt-oss:120b', created_at: '2026-12-01T12:00:00.000Z' };
const metrics = {
  total_duration: 812_000_000,
  load_duration: 12_000_000,
  prompt_eval_count: 21,
  prompt_eval_duration: 40_000_000,
  eval_count: 9,
  eval_duration: 700_000_000,
};

/** Thinking, then text, then done. */
export const thinkingThenText = [
  { ...base, message: { role: 'assistant', content: '', thinking: 'The user wants ' }, done: false },
  { ...base, message: { role: 'assistant', content: '', thinking: 'a colour.' }, done: false },
  { ...base, message: { role: 'assistant', content: 'Teal' }, done: false },
  { ...base, message: { role: 'assistant', content: '.' }, done: false },
  { ...base, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', ...metrics },
];

/** Thinking, then one tool call, then done. */
export const thinkingThenToolCall = [
  { ...base, message: { role: 'assistant', content: '', thinking: 'Need the weather tool.' }, done: false },
  {
    ...base,
    message: {
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'call_abc123', function: { index: 0, name: 'weather', arguments: { city: 'Oslo' } } },
      ],
    },
    done: false,
  },
  { ...base, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', ...metrics },
];

/** Text cut short by `num_predict`. */
export const cutByLength = [
  { ...base, message: { role: 'assistant', content: 'Once upon' }, done: false },
  { ...base, message: { role: 'assistant', content: '' }, done: true, done_reason: 'length', ...metrics },
];

/** A complete (non-streamed) answer with thinking and two tool calls. */
export const completeWithTools = {
  ...base,
  message: {
    role: 'assistant',
    content: '',
    thinking: 'Two cities.',
    tool_calls: [
      { id: 'call_1', function: { index: 0, name: 'weather', arguments: { city: 'Oslo' } } },
      { id: 'call_2', function: { index: 1, name: 'weather', arguments: { city: 'Bergen' } } },
    ],
  },
  done: true,
  done_reason: 'stop',
  ...metrics,
};

/** A complete answer with `logprobs: true, top_logprobs: 2` (native entries, OpenAI's own shape). */
export const completeWithLogprobs = {
  ...base,
  message: { role: 'assistant', content: 'Teal' },
  response: 'Teal',
  logprobs: [
    {
      token: 'Teal',
      logprob: -0.105,
      bytes: [84, 101, 97, 108],
      top_logprobs: [
        { token: 'Teal', logprob: -0.105, bytes: [84, 101, 97, 108] },
        { token: 'Blue', logprob: -2.3, bytes: [66, 108, 117, 101] },
      ],
    },
  ],
  done: true,
  done_reason: 'stop',
  ...metrics,
};
