import { answerText, chatKey, embeddingVector, splitChunks, thinkingText, tokenCount } from '../answers.js';
import { type Exchange, HttpError, isObject, type Json, modifiedAt, type RouteTable } from '../exchange.js';
import type { FakeContext } from '../fake-context.js';
import { logprobsFor } from '../logprobs.js';
import { checkField, requireObject } from '../request-checks.js';
import { sseData } from '../sse.js';
import { parseTools, toolCallFor } from '../tool-calls.js';
import { embedInputs, promptTokenCount } from './native-inference.js';

const efforts = new Set(['minimal', 'low', 'medium', 'high', 'max', 'xhigh', 'none']);

/** The reasoning effort of an OpenAI request (`reasoning_effort` or `reasoning: {effort}`), checked. */
export function reasoningEffort(body: Json): string | undefined {
  const value = body.reasoning_effort ?? (isObject(body.reasoning) ? body.reasoning.effort : undefined);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !efforts.has(value)) {
    throw new HttpError(
      400,
      `invalid reasoning value: '${String(value)}' (must be "minimal", "low", "medium", "high", "max", "xhigh" or "none")`,
    );
  }
  return value === 'none' ? undefined : value;
}

/** OpenAI compatibility (notes §4): chat completions, completions, embeddings, models. */
export function openAICompatRoutes(context: FakeContext): RouteTable {
  const { state, respond } = context;

  function usageOf(prompt: number, completion: number): Json {
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  function chatCompletions(exchange: Exchange): void {
    const body = requireObject(exchange, 'openai.ChatCompletionRequest');
    checkField(body, 'model', 'ChatCompletionRequest', 'string', 'string');
    checkField(body, 'messages', 'ChatCompletionRequest', 'array', '[]openai.Message');
    const name = (body.model as string | undefined) ?? '';
    if (name === '') throw new HttpError(400, 'model is required');
    const model = state.lookup(name);
    if (!model.capabilities.includes('completion'))
      throw new HttpError(400, `"${name}" does not support chat`);
    const tools = parseTools(body.tools, 'ChatCompletionRequest');
    if (tools.length > 0 && !model.capabilities.includes('tools')) {
      throw new HttpError(400, `registry.ollama.ai/library/${model.name} does not support tools`);
    }
    const effort = reasoningEffort(body);
    if (effort !== undefined && !model.capabilities.includes('thinking')) {
      throw new HttpError(400, `"${name}" does not support thinking`);
    }
    state.touch(model);
    const messages = ((body.messages as unknown[] | undefined) ?? []).filter(isObject);
    const format =
      isObject(body.response_format) && body.response_format.type !== 'text'
        ? isObject(body.response_format.json_schema) && isObject(body.response_format.json_schema.schema)
          ? body.response_format.json_schema.schema
          : 'json'
        : undefined;
    const input = chatKey(messages);
    const last = messages[messages.length - 1];
    const callsTool = tools.length > 0 && last !== undefined && last.role === 'user';
    const text = callsTool ? '' : answerText(name, 'chat', input, format);
    const reasoning = effort === undefined ? undefined : thinkingText(name, 'chat', input);
    const calls = callsTool
      ? [toolCallFor(tools, state.nextId())].map((call, index) => ({
          id: call.id,
          index,
          type: 'function',
          function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
        }))
      : undefined;
    const top = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
    const logprobs = body.logprobs === true;
    const promptTokens = promptTokenCount(messages);
    const completionTokens = tokenCount(text) + tokenCount(reasoning ?? '') + (callsTool ? 8 : 0);
    state.recordUsage(name, promptTokens, completionTokens);
    const usage = usageOf(promptTokens, completionTokens);
    const id = `chatcmpl-${state.nextId()}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: name, system_fingerprint: 'fp_ollama' };
    const finish = callsTool ? 'tool_calls' : 'stop';
    if (body.stream !== true) {
      respond.json(exchange, {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text,
              ...(reasoning === undefined ? {} : { reasoning }),
              ...(calls === undefined ? {} : { tool_calls: calls }),
            },
            finish_reason: finish,
            ...(logprobs ? { logprobs: { content: logprobsFor(text, top) } } : {}),
          },
        ],
        usage,
      });
      return;
    }
    const chunk = (delta: Json, reason: string | null, extra: Json = {}): string =>
      sseData({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, finish_reason: reason, ...extra }],
      });
    const content: string[] = [];
    if (reasoning !== undefined) {
      for (const piece of splitChunks(reasoning, state.chunks))
        content.push(chunk({ role: 'assistant', content: '', reasoning: piece }, null));
    }
    if (calls !== undefined) content.push(chunk({ role: 'assistant', content: '', tool_calls: calls }, null));
    else {
      for (const piece of splitChunks(text, state.chunks)) {
        content.push(
          chunk(
            { role: 'assistant', content: piece },
            null,
            logprobs && piece !== '' ? { logprobs: { content: logprobsFor(piece, top) } } : {},
          ),
        );
      }
    }
    const tail = [chunk({ role: 'assistant', content: '' }, finish)];
    if (isObject(body.stream_options) && body.stream_options.include_usage === true) {
      tail.push(sseData({ ...base, object: 'chat.completion.chunk', choices: [], usage }));
    }
    tail.push('data: [DONE]\n\n');
    // notes §4 (code reading): a native error line inside a /v1 stream becomes an empty delta, then no [DONE]
    respond.stream(
      exchange,
      'text/event-stream',
      content,
      tail,
      chunk({ role: 'assistant', content: '' }, null),
    );
  }

  function completions(exchange: Exchange): void {
    const body = requireObject(exchange, 'openai.CompletionRequest');
    checkField(body, 'model', 'CompletionRequest', 'string', 'string');
    checkField(body, 'prompt', 'CompletionRequest', 'string', 'string');
    checkField(body, 'suffix', 'CompletionRequest', 'string', 'string');
    const name = (body.model as string | undefined) ?? '';
    if (name === '') throw new HttpError(400, 'model is required');
    const model = state.lookup(name);
    if (!model.capabilities.includes('completion'))
      throw new HttpError(400, `"${name}" does not support generate`);
    state.touch(model);
    const prompt = (body.prompt as string | undefined) ?? '';
    const suffix = (body.suffix as string | undefined) ?? '';
    const text = answerText(
      name,
      'generate',
      suffix === '' ? `prompt:${prompt}` : `prompt:${prompt}\nsuffix:${suffix}`,
      undefined,
    );
    const promptTokens = tokenCount(`${prompt} ${suffix}`);
    const completionTokens = tokenCount(text);
    state.recordUsage(name, promptTokens, completionTokens);
    const usage = usageOf(promptTokens, completionTokens);
    const base = {
      id: `cmpl-${state.nextId()}`,
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model: name,
      system_fingerprint: 'fp_ollama',
    };
    if (body.stream !== true) {
      respond.json(exchange, {
        ...base,
        choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }],
        usage,
      });
      return;
    }
    const chunk = (piece: string, reason: string | null): string =>
      sseData({ ...base, choices: [{ text: piece, index: 0, finish_reason: reason }] });
    const tail = [chunk('', 'stop')];
    if (isObject(body.stream_options) && body.stream_options.include_usage === true)
      tail.push(sseData({ ...base, choices: [], usage }));
    tail.push('data: [DONE]\n\n');
    respond.stream(
      exchange,
      'text/event-stream',
      splitChunks(text, state.chunks).map((piece) => chunk(piece, null)),
      tail,
      chunk('', null),
    );
  }

  function embeddings(exchange: Exchange): void {
    const body = requireObject(exchange, 'openai.EmbedRequest');
    checkField(body, 'model', 'EmbedRequest', 'string', 'string');
    const name = (body.model as string | undefined) ?? '';
    if (name === '') throw new HttpError(400, 'model is required');
    const model = state.lookup(name);
    if (
      body.input === undefined ||
      body.input === '' ||
      (Array.isArray(body.input) && body.input.length === 0)
    ) {
      throw new HttpError(400, 'invalid input');
    }
    const inputs = embedInputs(body.input);
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    state.touch(model);
    const tokens = inputs.reduce((sum, input) => sum + tokenCount(input), 0);
    state.recordUsage(name, tokens, 0);
    respond.json(exchange, {
      object: 'list',
      data: inputs.map((input, index) => ({
        object: 'embedding',
        embedding: embeddingVector(name, input, model.embeddingDimensions, dimensions),
        index,
      })),
      model: name,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  const created = Math.floor(Date.parse(modifiedAt) / 1000);

  function models(exchange: Exchange): void {
    respond.json(exchange, {
      object: 'list',
      data: [...state.models.values()].map((model) => ({
        id: model.name,
        object: 'model',
        created,
        owned_by: 'library',
      })),
    });
  }

  function oneModel(exchange: Exchange): void {
    const name = decodeURIComponent(exchange.param ?? '');
    const model = state.lookup(name);
    respond.json(exchange, { id: model.name, object: 'model', created, owned_by: 'library' });
  }

  return {
    '/v1/chat/completions': { POST: chatCompletions },
    '/v1/completions': { POST: completions },
    '/v1/embeddings': { POST: embeddings },
    '/v1/models': { GET: models },
    '/v1/models/:model': { GET: oneModel },
  };
}
