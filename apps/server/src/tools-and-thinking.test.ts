// Tool calls and thinking end to end: a real client library talks to the gateway, the gateway to the fake
// (which answers a request with `tools` with a `tool_calls` chunk, and one with `think` with `thinking` first).
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { CLOUD_MODEL, useGateway } from './__fixtures__/gateway-fixture.js';
import { WEATHER } from './compat/__fixtures__/weather-tool.js';

const TOKEN = 'gateway-token-tools-thinking';
const question = 'Weather in Oslo?';
const user = [{ role: 'user' as const, content: question }];
const nativeTools = [{ type: 'function' as const, function: WEATHER }];
/** The fake's call: the first tool, each required string parameter "x". */
const fakeArguments = { city: 'x' };
const callId = expect.stringMatching(/^call_\d+$/);

describe('tool calls and thinking through the gateway', () => {
  const fixture = useGateway({ token: TOKEN });
  const thinking = () => fixture.cloud.expectedThinking({ model: CLOUD_MODEL, messages: user });
  const text = () => fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: user });
  /** The fake's answer to these native messages (a last `tool` message gets text, not another call). */
  const answerTo = (messages: readonly object[]) =>
    fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: messages as never });
  /** The native form of the fake's call, as a client sends it back. */
  const nativeCallOf = (id: string) => ({ id, function: { name: WEATHER.name, arguments: fakeArguments } });
  const sentToCloud = () => fixture.cloud.requests.filter((request) => request.path === '/api/chat').at(-1);

  describe('the native ollama client on /api/chat', () => {
    const nativeCall = { id: callId, function: { index: 0, name: WEATHER.name, arguments: fakeArguments } };

    it('gets message.tool_calls for tools', async () => {
      const answer = await fixture.ollama().chat({ model: CLOUD_MODEL, messages: user, tools: nativeTools });
      expect(answer.message.tool_calls).toEqual([nativeCall]);
      expect(answer.message.content).toBe('');
      expect(fixture.lastHeaders()?.get('x-graphiti-provider')).toBe('cloud');
      expect(sentToCloud()?.body).toMatchObject({ tools: nativeTools, stream: false });
    });

    it('gets message.tool_calls in the stream', async () => {
      const stream = await fixture
        .ollama()
        .chat({ model: CLOUD_MODEL, messages: user, tools: nativeTools, stream: true });
      const calls: unknown[] = [];
      let done = false;
      for await (const part of stream) {
        calls.push(...(part.message.tool_calls ?? []));
        done = part.done;
      }
      expect(calls).toEqual([nativeCall]);
      expect(done).toBe(true);
    });

    it('gets message.thinking for think: true, whole and streamed', async () => {
      const answer = await fixture.ollama().chat({ model: CLOUD_MODEL, messages: user, think: true });
      expect(answer.message.thinking).toBe(thinking());
      expect(answer.message.content).toBe(text());
      expect(sentToCloud()?.body).toMatchObject({ think: true });
      const stream = await fixture
        .ollama()
        .chat({ model: CLOUD_MODEL, messages: user, think: true, stream: true });
      let streamedThinking = '';
      let streamedText = '';
      for await (const part of stream) {
        streamedThinking += part.message.thinking ?? '';
        streamedText += part.message.content;
      }
      expect(streamedThinking).toBe(thinking());
      expect(streamedText).toBe(text());
    });

    it('gets thinking and tool_calls together, and answers the tool result with text', async () => {
      const called = await fixture
        .ollama()
        .chat({ model: CLOUD_MODEL, messages: user, tools: nativeTools, think: true });
      expect(called.message.thinking).toBe(thinking());
      expect(called.message.tool_calls).toEqual([nativeCall]);
      const messages = [...user, called.message, { role: 'tool', content: 'sunny', tool_name: WEATHER.name }];
      const answered = await fixture
        .ollama()
        .chat({ model: CLOUD_MODEL, messages, tools: nativeTools, think: true });
      expect(sentToCloud()?.body).toMatchObject({ messages });
      expect(answered.message.content).toBe(answerTo(messages));
      expect(answered.message.tool_calls).toBeUndefined();
    });
  });

  describe('the openai client on /v1/chat/completions', () => {
    const openAiCall = {
      id: callId,
      type: 'function',
      function: { name: WEATHER.name, arguments: JSON.stringify(fakeArguments) },
    };
    /** OpenAI-compatible servers (Ollama's too) send the thinking as `reasoning`, beside `content`. */
    type WithReasoning = { reasoning?: string };

    it('gets choices[0].message.tool_calls for tools', async () => {
      const completion = await fixture
        .openai()
        .chat.completions.create({ model: CLOUD_MODEL, messages: user, tools: nativeTools });
      expect(completion.choices[0]?.message.tool_calls).toEqual([expect.objectContaining(openAiCall)]);
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
      expect(sentToCloud()?.body).toMatchObject({ tools: nativeTools });
    });

    it('streams tool_call deltas that the SDK assembles into the final message', async () => {
      const stream = fixture
        .openai()
        .chat.completions.stream({ model: CLOUD_MODEL, messages: user, tools: nativeTools });
      const finishes: (string | null)[] = [];
      for await (const chunk of stream) finishes.push(chunk.choices[0]?.finish_reason ?? null);
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]?.message.tool_calls).toEqual([expect.objectContaining(openAiCall)]);
      expect(final.choices[0]?.finish_reason).toBe('tool_calls');
      expect(finishes.filter((finish) => finish !== null)).toEqual(['tool_calls']);
    });

    it('gets the thinking as message.reasoning for a reasoning effort, whole and streamed', async () => {
      const completion = await fixture
        .openai()
        .chat.completions.create({ model: CLOUD_MODEL, messages: user, reasoning_effort: 'high' });
      const message = completion.choices[0]?.message as OpenAI.ChatCompletionMessage & WithReasoning;
      expect(message.reasoning).toBe(thinking());
      expect(message.content).toBe(text());
      expect(sentToCloud()?.body).toMatchObject({ think: 'high' });
      const stream = await fixture.openai().chat.completions.create({
        model: CLOUD_MODEL,
        messages: user,
        reasoning_effort: 'high',
        stream: true,
      });
      let reasoning = '';
      let content = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as
          | (OpenAI.ChatCompletionChunk.Choice.Delta & WithReasoning)
          | undefined;
        reasoning += delta?.reasoning ?? '';
        content += delta?.content ?? '';
      }
      expect(reasoning).toBe(thinking());
      expect(content).toBe(text());
    });

    it('gets reasoning and tool_calls together, and answers the tool result with text', async () => {
      const request = { model: CLOUD_MODEL, tools: nativeTools, reasoning_effort: 'low' as const };
      const called = await fixture.openai().chat.completions.create({ ...request, messages: user });
      const message = called.choices[0]?.message as OpenAI.ChatCompletionMessage & WithReasoning;
      expect(message.reasoning).toBe(thinking());
      expect(message.tool_calls).toEqual([expect.objectContaining(openAiCall)]);
      const call = message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      const answered = await fixture.openai().chat.completions.create({
        ...request,
        messages: [
          ...user,
          { role: 'assistant', content: null, tool_calls: [call], reasoning: message.reasoning } as never,
          { role: 'tool', tool_call_id: call.id, content: 'sunny' },
        ],
      });
      const sent = sentToCloud()?.body as { messages: Record<string, unknown>[] };
      expect(sent.messages.slice(1)).toEqual([
        { role: 'assistant', content: '', thinking: thinking(), tool_calls: [nativeCallOf(call.id)] },
        { role: 'tool', content: 'sunny', tool_call_id: call.id, tool_name: WEATHER.name },
      ]);
      expect(answered.choices[0]?.message.content).toBe(answerTo(sent.messages));
      expect(answered.choices[0]?.finish_reason).toBe('stop');
    });
  });

  describe('the @anthropic-ai/sdk client on /v1/messages', () => {
    const anthropicTools = [
      { name: WEATHER.name, description: WEATHER.description, input_schema: WEATHER.parameters },
    ];
    const toolUse = { type: 'tool_use', id: callId, name: WEATHER.name, input: fakeArguments };
    const ask = { model: CLOUD_MODEL, max_tokens: 256, messages: user };

    it('gets a tool_use content block and stop_reason tool_use for tools', async () => {
      const message = await fixture.anthropic().messages.create({ ...ask, tools: anthropicTools });
      expect(message.content).toEqual([toolUse]);
      expect(message.stop_reason).toBe('tool_use');
      expect(sentToCloud()?.body).toMatchObject({ tools: nativeTools });
    });

    it('streams the tool_use block, which the SDK assembles with its input', async () => {
      const stream = fixture.anthropic().messages.stream({ ...ask, tools: anthropicTools });
      const final = await stream.finalMessage();
      expect(final.content).toEqual([toolUse]);
      expect(final.stop_reason).toBe('tool_use');
    });

    it('gets a thinking block before the text for thinking enabled, whole and streamed', async () => {
      const thinkingOn = { ...ask, thinking: { type: 'enabled' as const, budget_tokens: 1024 } };
      const blocks = () => [
        { type: 'thinking', thinking: thinking(), signature: '' },
        { type: 'text', text: text() },
      ];
      const message = await fixture.anthropic().messages.create(thinkingOn);
      expect(message.content).toEqual(blocks());
      expect(message.stop_reason).toBe('end_turn');
      expect(sentToCloud()?.body).toMatchObject({ think: true });
      const final = await fixture.anthropic().messages.stream(thinkingOn).finalMessage();
      expect(final.content).toEqual(blocks());
    });

    it('streams thinking then tool_use, and answers the tool_result with text', async () => {
      const request = {
        ...ask,
        tools: anthropicTools,
        thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      };
      const called = await fixture.anthropic().messages.stream(request).finalMessage();
      expect(called.content).toEqual([{ type: 'thinking', thinking: thinking(), signature: '' }, toolUse]);
      const use = called.content[1] as { id: string };
      const answered = await fixture.anthropic().messages.create({
        ...request,
        messages: [
          ...user,
          { role: 'assistant', content: called.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] },
        ],
      });
      const sent = sentToCloud()?.body as { messages: Record<string, unknown>[] };
      expect(sent.messages.slice(1)).toEqual([
        { role: 'assistant', content: '', thinking: thinking(), tool_calls: [nativeCallOf(use.id)] },
        { role: 'tool', content: 'sunny', tool_call_id: use.id, tool_name: WEATHER.name },
      ]);
      expect(answered.content.at(-1)).toEqual({ type: 'text', text: answerTo(sent.messages) });
      expect(answered.stop_reason).toBe('end_turn');
    });
  });

  describe('the openai client on /v1/responses', () => {
    const responsesTools = [{ type: 'function' as const, ...WEATHER, strict: false }];
    const functionCall = {
      type: 'function_call',
      call_id: callId,
      name: WEATHER.name,
      arguments: JSON.stringify(fakeArguments),
      status: 'completed',
    };
    const reasoningItem = {
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: expect.any(String) }],
    };

    it('gets a function_call output item for tools, whole and streamed', async () => {
      const request = { model: CLOUD_MODEL, input: question, tools: responsesTools };
      const response = await fixture.openai().responses.create(request);
      expect(response.output).toEqual([expect.objectContaining(functionCall)]);
      const final = await fixture.openai().responses.stream(request).finalResponse();
      expect(final.output).toEqual([expect.objectContaining(functionCall)]);
      expect(sentToCloud()?.body).toMatchObject({ tools: nativeTools });
    });

    it('gets a reasoning item before the message for a reasoning effort, whole and streamed', async () => {
      const request = { model: CLOUD_MODEL, input: question, reasoning: { effort: 'medium' as const } };
      for (const response of [
        await fixture.openai().responses.create(request),
        await fixture.openai().responses.stream(request).finalResponse(),
      ]) {
        expect(response.output).toEqual([
          expect.objectContaining(reasoningItem),
          expect.objectContaining({ type: 'message' }),
        ]);
        const summary = (response.output[0] as OpenAI.Responses.ResponseReasoningItem).summary[0]?.text;
        expect(summary).toBe(thinking());
        expect(response.output_text).toBe(text());
      }
      expect(sentToCloud()?.body).toMatchObject({ think: 'medium' });
    });
  });
});
