import {
  answerText,
  chatKey,
  contextTokens,
  embeddingVector,
  generateKey,
  splitChunks,
  thinkingText,
  tokenCount,
} from '../answers.js';
import { type Exchange, HttpError, isObject, type Json, type RouteTable } from '../exchange.js';
import type { FakeContext } from '../fake-context.js';
import { goTypeName } from '../http-helpers.js';
import { readInferenceOptions } from '../inference-options.js';
import { logprobsFor } from '../logprobs.js';
import { normalizeModelName } from '../models.js';
import { checkField, checkImages, keepAliveSeconds, requireObject } from '../request-checks.js';
import { type FakeToolCall, parseTools, toolCallFor } from '../tool-calls.js';

/** Tokens of the message contents (roles do not count, so an empty prompt has no prompt metrics). */
export function promptTokenCount(messages: readonly unknown[]): number {
  let count = 0;
  for (const message of messages) {
    if (isObject(message) && typeof message.content === 'string') count += tokenCount(message.content);
  }
  return count;
}

/** What a native answer holds before it is framed as chat or generate chunks. */
interface NativeAnswer {
  readonly thinking: string | undefined;
  readonly text: string;
  readonly toolCalls: readonly FakeToolCall[] | undefined;
  readonly top: number | undefined;
}

/** Content pieces of an answer: thinking pieces first, then text pieces (or the one tool-call piece). */
function pieces(
  answer: NativeAnswer,
  chunks: number,
): { thinking?: string; text?: string; tools?: readonly FakeToolCall[] }[] {
  const out: { thinking?: string; text?: string; tools?: readonly FakeToolCall[] }[] = [];
  if (answer.thinking !== undefined)
    for (const piece of splitChunks(answer.thinking, chunks)) out.push({ thinking: piece });
  if (answer.toolCalls !== undefined) out.push({ text: '', tools: answer.toolCalls });
  else for (const piece of splitChunks(answer.text, chunks)) out.push({ text: piece });
  return out;
}

/** The native routes: `/api/chat`, `/api/generate`, `/api/embed`, `/api/embeddings`. */
export function nativeInferenceRoutes(context: FakeContext): RouteTable {
  const { state, respond } = context;

  function chat(exchange: Exchange): void {
    const body = requireObject(exchange, 'api.ChatRequest');
    checkField(body, 'model', 'ChatRequest', 'string', 'string');
    checkField(body, 'messages', 'ChatRequest', 'array', '[]api.Message');
    checkField(body, 'stream', 'ChatRequest', 'bool', 'bool');
    const name = (body.model as string | undefined) ?? '';
    if (name === '') throw new HttpError(400, 'model is required');
    const model = state.lookup(name);
    if (!model.capabilities.includes('completion'))
      throw new HttpError(400, `"${name}" does not support chat`);
    const tools = parseTools(body.tools, 'ChatRequest');
    if (tools.length > 0 && !model.capabilities.includes('tools')) {
      throw new HttpError(400, `registry.ollama.ai/library/${model.name} does not support tools`);
    }
    const messages = chatMessages(body);
    const { thinking, top, logprobs, keepAlive, stream } = readInferenceOptions(body, name, model);
    const created = new Date().toISOString();
    if (messages.length === 0) {
      const reason = keepAlive === 0 ? 'unload' : 'load';
      state.touch(model, keepAlive);
      const line = {
        model: name,
        created_at: created,
        message: { role: 'assistant', content: '' },
        done_reason: reason,
        done: true,
      };
      if (stream) respond.ndjson(exchange, [], line);
      else respond.json(exchange, line);
      return;
    }
    state.touch(model, keepAlive);
    const input = chatKey(messages);
    const last = messages[messages.length - 1]!;
    const callsTool = tools.length > 0 && String(last.role).toLowerCase() === 'user';
    const answer: NativeAnswer = {
      thinking: thinking ? thinkingText(name, 'chat', input) : undefined,
      text: callsTool ? '' : answerText(name, 'chat', input, body.format),
      toolCalls: callsTool ? [toolCallFor(tools, state.nextId())] : undefined,
      top: logprobs ? top : undefined,
    };
    const promptTokens = promptTokenCount(messages);
    const evalTokens = tokenCount(answer.text) + tokenCount(answer.thinking ?? '') + (callsTool ? 8 : 0);
    state.recordUsage(name, promptTokens, evalTokens);
    writeChat(exchange, name, answer, promptTokens, evalTokens, stream);
  }

  /** Frames a chat answer as one JSON object or as NDJSON chunks (thinking, then text or the tool call). */
  function writeChat(
    exchange: Exchange,
    name: string,
    answer: NativeAnswer,
    promptTokens: number,
    evalTokens: number,
    stream: boolean,
  ): void {
    const created = new Date().toISOString();
    const message = (text: string, part: { thinking?: string; tools?: readonly FakeToolCall[] }): Json => ({
      role: 'assistant',
      content: text,
      ...(part.thinking === undefined ? {} : { thinking: part.thinking }),
      ...(part.tools === undefined ? {} : { tool_calls: part.tools }),
    });
    if (!stream) {
      respond.json(exchange, {
        model: name,
        created_at: created,
        message: message(answer.text, { thinking: answer.thinking, tools: answer.toolCalls }),
        done_reason: 'stop',
        done: true,
        ...state.metrics(exchange, promptTokens, evalTokens, false),
        ...(answer.top === undefined ? {} : { logprobs: logprobsFor(answer.text, answer.top) }),
      });
      return;
    }
    const content = pieces(answer, state.chunks).map((part) => ({
      model: name,
      created_at: created,
      message: message(part.text ?? '', part),
      done: false,
      ...(answer.top === undefined || part.text === undefined || part.text === ''
        ? {}
        : { logprobs: logprobsFor(part.text, answer.top) }),
    }));
    respond.ndjson(exchange, content, {
      model: name,
      created_at: created,
      message: { role: 'assistant', content: '' },
      done_reason: 'stop',
      done: true,
      ...state.metrics(exchange, promptTokens, evalTokens, true),
    });
  }

  function generate(exchange: Exchange): void {
    const body = requireObject(exchange, 'api.GenerateRequest');
    for (const field of ['model', 'prompt', 'system', 'suffix']) {
      checkField(body, field, 'GenerateRequest', 'string', 'string');
    }
    checkField(body, 'stream', 'GenerateRequest', 'bool', 'bool');
    const name = (body.model as string | undefined) ?? '';
    const model = state.lookup(name);
    if (!model.capabilities.includes('completion'))
      throw new HttpError(400, `"${name}" does not support generate`);
    checkImages(body.images, 'GenerateRequest.images');
    const { thinking, top, logprobs, keepAlive, stream } = readInferenceOptions(body, name, model);
    const created = new Date().toISOString();
    const prompt = (body.prompt as string | undefined) ?? '';
    state.touch(model, keepAlive);
    if (prompt === '') {
      const reason = keepAlive === 0 ? 'unload' : 'load';
      const line = { model: name, created_at: created, response: '', done: true, done_reason: reason };
      if (stream) respond.ndjson(exchange, [], line);
      else respond.json(exchange, line);
      return;
    }
    const system = body.system as string | undefined;
    const input = generateKey(prompt, system);
    const text = answerText(name, 'generate', input, body.format);
    const thought = thinking ? thinkingText(name, 'generate', input) : undefined;
    const promptTokens = tokenCount(`${system ?? ''} ${prompt}`);
    const evalTokens = tokenCount(text) + tokenCount(thought ?? '');
    state.recordUsage(name, promptTokens, evalTokens);
    const context = body.raw === true ? {} : { context: contextTokens(input, text) };
    if (!stream) {
      respond.json(exchange, {
        model: name,
        created_at: created,
        response: text,
        ...(thought === undefined ? {} : { thinking: thought }),
        done: true,
        done_reason: 'stop',
        ...context,
        ...state.metrics(exchange, promptTokens, evalTokens, false),
        ...(logprobs ? { logprobs: logprobsFor(text, top) } : {}),
      });
      return;
    }
    const answer: NativeAnswer = {
      thinking: thought,
      text,
      toolCalls: undefined,
      top: logprobs ? top : undefined,
    };
    const content = pieces(answer, state.chunks).map((part) => ({
      model: name,
      created_at: created,
      response: part.text ?? '',
      ...(part.thinking === undefined ? {} : { thinking: part.thinking }),
      done: false,
      ...(logprobs && part.text ? { logprobs: logprobsFor(part.text, top) } : {}),
    }));
    respond.ndjson(exchange, content, {
      model: name,
      created_at: created,
      response: '',
      done: true,
      done_reason: 'stop',
      ...context,
      ...state.metrics(exchange, promptTokens, evalTokens, true),
    });
  }

  function embed(exchange: Exchange): void {
    const body = requireObject(exchange, 'api.EmbedRequest');
    checkField(body, 'model', 'EmbedRequest', 'string', 'string');
    const name = (body.model as string | undefined) ?? '';
    const model = state.lookup(name);
    const inputs = embedInputs(body.input);
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    state.touch(model, keepAliveSeconds(body.keep_alive));
    const embeddings = inputs.map((input) =>
      embeddingVector(name, input, model.embeddingDimensions, dimensions),
    );
    const promptTokens = inputs.reduce((sum, input) => sum + tokenCount(input), 0);
    state.recordUsage(name, promptTokens, 0);
    const metrics = state.metrics(exchange, promptTokens, 0, false);
    respond.json(exchange, {
      model: name,
      embeddings,
      total_duration: metrics.total_duration,
      load_duration: metrics.load_duration,
      ...(promptTokens > 0 ? { prompt_eval_count: promptTokens } : {}),
    });
  }

  function embeddings(exchange: Exchange): void {
    const body = requireObject(exchange, 'api.EmbeddingRequest');
    checkField(body, 'model', 'EmbeddingRequest', 'string', 'string');
    checkField(body, 'prompt', 'EmbeddingRequest', 'string', 'string');
    const name = (body.model as string | undefined) ?? '';
    const model = state.models.get(normalizeModelName(name));
    // notes §2: the legacy endpoint goes through the scheduler, which words its 404 differently
    if (!model) throw new HttpError(404, `model "${name}" not found, try pulling it first`);
    state.touch(model);
    const prompt = (body.prompt as string | undefined) ?? '';
    respond.json(exchange, {
      embedding: prompt === '' ? [] : embeddingVector(name, prompt, model.embeddingDimensions),
    });
  }

  return {
    '/api/chat': { POST: chat },
    '/api/generate': { POST: generate },
    '/api/embed': { POST: embed },
    '/api/embeddings': { POST: embeddings },
  };
}

/** The `messages` of a chat request, each checked as Go decodes `api.Message` (role, content, images). */
function chatMessages(body: Json): Json[] {
  const messages = (body.messages as unknown[] | undefined) ?? [];
  for (const message of messages) {
    if (!isObject(message)) {
      throw new HttpError(
        400,
        `json: cannot unmarshal ${goTypeName(message)} into Go value of type api.Message`,
      );
    }
    checkField(message, 'role', 'Message.messages', 'string', 'string');
    checkField(message, 'content', 'Message.messages', 'string', 'string');
    checkImages(message.images, 'ChatRequest.messages.images');
  }
  return messages as Json[];
}

/** `input` of an embed request as a list: a string, an array of strings, or nothing; 400 `invalid input type` else. */
export function embedInputs(input: unknown): string[] {
  if (input === undefined || input === null || input === '') return [];
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) return input as string[];
  throw new HttpError(400, 'invalid input type');
}
