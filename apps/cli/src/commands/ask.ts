import type { Router } from '@graphiti/llm-router';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../cli-error.js';
import { loadCliConfig, printJson } from '../context.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type RouterSession, withRouterSession } from '../router-session.js';

interface AskOptions {
  readonly model?: string;
  readonly system?: string;
  readonly stream?: boolean;
  readonly json?: boolean;
}

interface EmbedOptions {
  readonly model?: string;
  readonly dimensions?: number;
  readonly json?: boolean;
}

/** Parses a positive integer option value; commander turns the thrown error into a usage error (exit 2). */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a positive integer.');
  }
  return number;
}

/** The prompt: the arguments joined, else all of stdin. An empty prompt is a usage error. */
async function readPrompt(io: CliIo, words: readonly string[], verb = 'chat'): Promise<string> {
  let prompt = words.join(' ');
  if (prompt.trim() === '' && io.readStdin !== undefined) {
    if (io.stdinIsTTY) io.stderr('Type the prompt, then Ctrl-D:\n');
    prompt = (await io.readStdin()).replace(/\r?\n$/, '');
  }
  if (prompt.trim() === '') {
    const what = verb === 'embed' ? 'No text to embed' : 'No prompt';
    throw new CliError(
      'USAGE',
      `${what}: give it as an argument or on stdin (echo "hi" | graphiti ${verb}).`,
    );
  }
  return prompt;
}

/** Reports a router error: the message on stderr (and a JSON error on stdout with --json). Returns the exit code. */
export async function reportRouterError(
  io: CliIo,
  error: unknown,
  json: boolean | undefined,
  storage = true,
): Promise<number> {
  const { LLMRequestError, LLMUnavailableError, RouterError, StreamInterruptedError } = await import(
    '@graphiti/llm-router'
  );
  if (!RouterError.isInstance(error)) throw error;
  const fields: Record<string, unknown> = { code: error.code, message: error.message };
  if (LLMUnavailableError.isInstance(error)) {
    fields.queued = error.queued;
    if (error.requestId !== undefined) fields.request_id = error.requestId;
    io.stderr(`graphiti: ${error.message}\n`);
    if (error.queued && error.requestId !== undefined) {
      io.stderr(
        `Queued as ${error.requestId}. Replay it with: graphiti retry-queue; then read it with: graphiti queue show ${error.requestId}\n`,
      );
    } else if (!storage) {
      io.stderr('Not queued: the storage does not open (see the warning above).\n');
    }
  } else if (LLMRequestError.isInstance(error)) {
    fields.status = error.status;
    const upstream = (error as { upstreamMessage?: unknown }).upstreamMessage;
    if (typeof upstream === 'string') fields.upstream_message = upstream;
    io.stderr(`graphiti: ${error.message}\n`);
  } else if (StreamInterruptedError.isInstance(error)) {
    fields.provider = error.provider;
    fields.model = error.model;
    fields.partial = error.partial;
    io.stderr(`\ngraphiti: ${error.message}\n`);
  } else {
    io.stderr(`graphiti: ${error.message}\n`);
  }
  // one line: after --stream --json chunks it is the last NDJSON line; alone it is a JSON document
  if (json) io.stdout(`${JSON.stringify({ error: fields })}\n`);
  return EXIT_FAILURE;
}

async function ask(
  io: CliIo,
  operation: 'chat' | 'generate',
  words: readonly string[],
  options: AskOptions,
): Promise<number> {
  const prompt = await readPrompt(io, words, operation);
  const config = loadCliConfig(io, options);
  // --json prints one complete answer unless --stream is asked for explicitly (then NDJSON chunks).
  const stream = options.stream ?? !options.json;
  const model = options.model === undefined ? {} : { model: options.model };
  const request =
    operation === 'chat'
      ? {
          ...model,
          messages: [
            ...(options.system === undefined ? [] : [{ role: 'system', content: options.system }]),
            { role: 'user', content: prompt },
          ],
        }
      : { ...model, prompt, ...(options.system === undefined ? {} : { system: options.system }) };
  return withRouterSession(io, config, async (session) => {
    const { router, reporter } = session;
    try {
      reporter.waiting('waiting for the answer');
      if (stream) return await printStream(io, session, operation, request, options.json);
      const answer =
        operation === 'chat'
          ? await router.chat({ ...(request as Parameters<Router['chat']>[0]), stream: false })
          : await router.generate({ ...(request as Parameters<Router['generate']>[0]), stream: false });
      reporter.settle();
      if (options.json) printJson(io, answer);
      else {
        const text = 'message' in answer ? answer.message.content : (answer as { response: string }).response;
        io.stdout(text.endsWith('\n') ? text : `${text}\n`);
      }
      await session.served(answer.provider, answer.model);
      return EXIT_OK;
    } catch (error) {
      reporter.settle();
      return await reportRouterError(io, error, options.json, session.storage);
    }
  });
}

async function printStream(
  io: CliIo,
  session: RouterSession,
  operation: 'chat' | 'generate',
  request: Record<string, unknown>,
  json: boolean | undefined,
): Promise<number> {
  const { router } = session;
  const stream =
    operation === 'chat'
      ? await router.chat({ ...(request as Parameters<Router['chat']>[0]), stream: true })
      : await router.generate({ ...(request as Parameters<Router['generate']>[0]), stream: true });
  session.reporter.settle();
  let last = '';
  for await (const chunk of stream as AsyncIterable<Record<string, unknown>>) {
    if (json) {
      io.stdout(`${JSON.stringify(chunk)}\n`);
      continue;
    }
    const message = chunk.message as { content?: unknown } | undefined;
    const text = typeof message?.content === 'string' ? message.content : chunk.response;
    if (typeof text === 'string' && text !== '') {
      io.stdout(text);
      last = text;
    }
  }
  if (!json && !last.endsWith('\n')) io.stdout('\n');
  await session.served(stream.provider, stream.model);
  return EXIT_OK;
}

async function embed(io: CliIo, words: readonly string[], options: EmbedOptions): Promise<number> {
  const inputs = words.length > 0 ? [...words] : [await readPrompt(io, [], 'embed')];
  const config = loadCliConfig(io, options);
  return withRouterSession(io, config, async (session) => {
    const { router, reporter } = session;
    try {
      reporter.waiting('waiting for the embeddings');
      const answer = await router.embed({
        input: inputs,
        ...(options.model === undefined ? {} : { model: options.model }),
        ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
      });
      reporter.settle();
      if (options.json) printJson(io, answer);
      else for (const vector of answer.embeddings) io.stdout(`${JSON.stringify(vector)}\n`);
      const dimensions = answer.embeddings[0]?.length ?? 0;
      const count = answer.embeddings.length;
      await session.served(
        answer.provider,
        answer.model,
        `: ${count} vector${count === 1 ? '' : 's'} of ${dimensions} dimensions`,
      );
      return EXIT_OK;
    } catch (error) {
      reporter.settle();
      return await reportRouterError(io, error, options.json, session.storage);
    }
  });
}

/** Registers `chat`, `generate` and `embed`. */
export function registerAsk(program: Command, io: CliIo, setExit: (code: number) => void): void {
  for (const operation of ['chat', 'generate'] as const) {
    program
      .command(operation)
      .description(
        operation === 'chat'
          ? 'ask a chat model (cloud first, local fallback); the prompt is read from stdin when not given'
          : 'complete a prompt (cloud first, local fallback); the prompt is read from stdin when not given',
      )
      .argument('[prompt...]', 'the prompt (default: stdin)')
      .option('-m, --model <model>', 'model to ask (default: cloud.default_model, then the local chain)')
      .option('-s, --system <text>', 'system prompt')
      .option('--stream', 'print the answer as it arrives (the default, except with --json)')
      .option('--no-stream', 'print the answer once complete')
      .option('--json', 'print the answer as JSON (with --stream: one JSON chunk per line)')
      .addHelpText(
        'after',
        '\nThe answer goes to stdout; who served it (provider, model) to stderr. When neither cloud nor local\ncan answer, the request is queued and its id printed (exit 1): replay it with `graphiti retry-queue`.\nSet LOG_LEVEL=warn to see failover events (llm_failover) on stderr.',
      )
      .action(async (words: string[], options: AskOptions) =>
        setExit(await ask(io, operation, words, options)),
      );
  }
  program
    .command('embed')
    .description('embed texts with embeddings.model (never a substitute model); one vector per line')
    .argument('[text...]', 'texts to embed, one vector each (default: stdin as one text)')
    .option('-m, --model <model>', 'embedding model (default: embeddings.model)')
    .option('--dimensions <n>', 'truncate the vectors to n dimensions', positiveInteger)
    .option('--json', 'print the whole answer as JSON')
    .action(async (words: string[], options: EmbedOptions) => setExit(await embed(io, words, options)));
}
