import type { RouterStream, Served } from '@graphiti/llm-router';
import { type Handler, isAbort, servedHeaders, streamFailure } from '../exchange.js';
import { readJsonObject, sendJson, writeChunk } from '../http-utils.js';
import { openAiErrorBody } from '../openai-api.js';
import {
  completionFinishReason,
  completionsToNativeGenerate,
  completionUsage,
  legacyLogprobs,
} from './completions.js';
import { completionsRequestSchema } from './completions-schema.js';
import { type NativeGenerateChunk, randomId } from './native-chunk.js';
import { callOptions, protocolHandler } from './protocol-handler.js';
import { validateBody } from './validate-body.js';

/**
 * `POST /v1/completions`: OpenAI legacy completions (autocomplete, fill-in-the-middle with `suffix`),
 * translated to `/api/generate` and routed with failover. Streams end in `data: [DONE]`; a stream that
 * breaks after its first chunk ends with an error event instead.
 */
export const completionsHandler: Handler = protocolHandler(
  async (exchange, context) => {
    const body = validateBody(
      completionsRequestSchema,
      await readJsonObject(exchange.request),
      '/v1/completions',
    );
    const request = completionsToNativeGenerate(body);
    const id = randomId('cmpl-');
    const created = Math.floor(Date.now() / 1000);
    const router = context.runtime.router;
    const object = (model: string, choice: Record<string, unknown>): Record<string, unknown> => ({
      id,
      object: 'text_completion',
      created,
      model,
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, ...choice }],
    });
    if (body.stream !== true) {
      const answer = (await router.generate(
        { ...request, stream: false } as never,
        callOptions(exchange),
      )) as unknown as NativeGenerateChunk & Served;
      exchange.provider = answer.provider;
      const completion = object(answer.model, {
        text: answer.response ?? '',
        logprobs: legacyLogprobs(answer),
        finish_reason: completionFinishReason(answer),
      });
      sendJson(
        exchange.response,
        200,
        { ...completion, usage: completionUsage(answer) },
        servedHeaders(answer.provider, answer.model),
      );
      return;
    }
    const includeUsage = body.stream_options?.include_usage === true;
    const stream = (await router.generate(
      { ...request, stream: true } as never,
      callOptions(exchange),
    )) as unknown as RouterStream<NativeGenerateChunk>;
    exchange.provider = stream.provider;
    const { response } = exchange;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...servedHeaders(stream.provider, stream.model),
    });
    const send = (value: unknown): Promise<boolean> =>
      writeChunk(response, `data: ${JSON.stringify(value)}\n\n`);
    try {
      for await (const chunk of stream) {
        const model = chunk.model ?? stream.model;
        const finish = chunk.done === true ? completionFinishReason(chunk) : null;
        const text = chunk.response ?? '';
        if (text !== '' || finish !== null) {
          const event = object(model, { text, logprobs: legacyLogprobs(chunk), finish_reason: finish });
          if (!(await send(event))) return stream.abort();
        }
        if (chunk.done === true && includeUsage) {
          if (!(await send({ ...object(model, {}), choices: [], usage: completionUsage(chunk) }))) {
            return stream.abort();
          }
        }
      }
      await writeChunk(response, 'data: [DONE]\n\n');
    } catch (error) {
      if (exchange.signal.aborted || isAbort(error)) return;
      const message = streamFailure(exchange, context, stream, error);
      await send(openAiErrorBody(502, message, 'stream_interrupted'));
    }
    response.end();
  },
  (reply) => openAiErrorBody(reply.status, reply.message, reply.code, reply.requestId),
);
