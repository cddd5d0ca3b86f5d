import { z } from 'zod';

/**
 * The request bodies of Ollama's native routes, from the request schemas of Ollama's OpenAPI file
 * (`__fixtures__/ollama-openapi.yaml`): the fields the spec names are typed, nested values are capped
 * (depth by `validateBody`, sizes here), and unknown fields pass through unchanged so that a field Ollama adds
 * later still reaches the upstream. `model` is optional where the gateway supplies a default.
 */

/** Longest text field accepted (a prompt, a message's content, one base64 image), in characters. */
export const MAX_TEXT_CHARS = 32 * 1024 * 1024;
/** Most items accepted in one array field (messages, tools, images, inputs). */
export const MAX_ITEMS = 10_000;
/** Longest model name. */
export const MAX_NAME_CHARS = 512;

const text = (what = 'a string') =>
  z.string({ error: what }).max(MAX_TEXT_CHARS, { error: `at most ${MAX_TEXT_CHARS} characters` });
const name = () =>
  z.string({ error: 'a string' }).max(MAX_NAME_CHARS, { error: `at most ${MAX_NAME_CHARS} characters` });
const list = <T extends z.ZodType>(item: T) =>
  z.array(item, { error: 'an array' }).max(MAX_ITEMS, { error: `at most ${MAX_ITEMS} items` });
const object = () => z.record(z.string(), z.unknown(), { error: 'an object' });
const bool = () => z.boolean({ error: 'a boolean' });
const int = () => z.number({ error: 'a number' }).int({ error: 'an integer' });
const num = () => z.number({ error: 'a number' });

/** Base64 images: strings only (an object here is what a client library would turn into a huge buffer). */
const images = () => list(text('a base64 string'));

/** `options` (ModelOptions): typed where the spec types them, anything else passed on. */
const modelOptions = z.looseObject(
  {
    seed: int().optional(),
    temperature: num().optional(),
    top_k: int().optional(),
    top_p: num().optional(),
    min_p: num().optional(),
    stop: z.union([text(), list(text())], { error: 'a string or an array of strings' }).optional(),
    num_ctx: int().optional(),
    num_predict: int().optional(),
  },
  { error: 'an object' },
);

const keepAlive = z.union([text(), num()], { error: 'a duration string or a number of seconds' });
const think = z.union(
  [
    bool(),
    z.enum(['high', 'medium', 'low', 'max'], { error: 'true, false, "high", "medium", "low" or "max"' }),
  ],
  {
    error: 'a boolean or "high", "medium", "low", "max"',
  },
);
const format = z.union([text(), object()], { error: '"json" or a JSON schema object' });

const toolCall = z.looseObject(
  {
    function: z.looseObject(
      { name: name(), description: text().optional(), arguments: object().optional() },
      { error: 'an object' },
    ),
  },
  { error: 'an object' },
);

/** ChatMessage: `role` and `content` strings (content may be omitted on a tool-calling turn). */
const chatMessage = z.looseObject(
  {
    role: name(),
    content: text().optional(),
    thinking: text().optional(),
    images: images().optional(),
    tool_calls: list(toolCall).optional(),
    tool_name: name().optional(),
  },
  { error: 'an object' },
);

const toolDefinition = z.looseObject(
  {
    type: name(),
    function: z.looseObject(
      { name: name(), description: text().optional(), parameters: object().optional() },
      { error: 'an object' },
    ),
  },
  { error: 'an object' },
);

const common = {
  model: name().optional(),
  options: modelOptions.optional(),
  keep_alive: keepAlive.optional(),
};

/** POST /api/chat (ChatRequest). */
export const chatRequestSchema = z.looseObject(
  {
    ...common,
    messages: list(chatMessage).optional(),
    tools: list(toolDefinition).optional(),
    format: format.optional(),
    stream: bool().optional(),
    think: think.optional(),
    logprobs: bool().optional(),
    top_logprobs: int().optional(),
  },
  { error: 'a JSON object' },
);

/** POST /api/generate (GenerateRequest). */
export const generateRequestSchema = z.looseObject(
  {
    ...common,
    prompt: text().optional(),
    suffix: text().optional(),
    system: text().optional(),
    template: text().optional(),
    context: list(num()).optional(),
    images: images().optional(),
    format: format.optional(),
    stream: bool().optional(),
    think: think.optional(),
    raw: bool().optional(),
    logprobs: bool().optional(),
    top_logprobs: int().optional(),
  },
  { error: 'a JSON object' },
);

/** POST /api/embed (EmbedRequest). */
export const embedRequestSchema = z.looseObject(
  {
    ...common,
    input: z.union([text(), list(text())], { error: 'a string or an array of strings' }).optional(),
    truncate: bool().optional(),
    dimensions: int().optional(),
  },
  { error: 'a JSON object' },
);

/** POST /api/embeddings (the legacy form: one `prompt`). */
export const legacyEmbeddingsRequestSchema = z.looseObject(
  { ...common, prompt: text().optional() },
  { error: 'a JSON object' },
);

/** POST /api/show (ShowRequest; `name` is the older spelling of `model`). */
export const showRequestSchema = z.looseObject(
  { model: name().optional(), name: name().optional(), verbose: bool().optional() },
  { error: 'a JSON object' },
);

/** POST /api/pull and /api/push. */
export const pullRequestSchema = z.looseObject(
  {
    model: name().optional(),
    name: name().optional(),
    insecure: bool().optional(),
    stream: bool().optional(),
  },
  { error: 'a JSON object' },
);

/** POST /api/create (CreateRequest). */
export const createRequestSchema = z.looseObject(
  {
    model: name().optional(),
    from: name().optional(),
    template: text().optional(),
    system: text().optional(),
    license: z.union([text(), list(text())], { error: 'a string or an array of strings' }).optional(),
    parameters: object().optional(),
    messages: list(chatMessage).optional(),
    files: object().optional(),
    adapters: object().optional(),
    quantize: name().optional(),
    stream: bool().optional(),
  },
  { error: 'a JSON object' },
);

/** POST /api/copy (CopyRequest). */
export const copyRequestSchema = z.looseObject(
  { source: name(), destination: name() },
  { error: 'a JSON object' },
);

/** DELETE /api/delete (DeleteRequest). */
export const deleteRequestSchema = z.looseObject(
  { model: name().optional(), name: name().optional() },
  { error: 'a JSON object' },
);

/** A validated chat body. */
export type ChatBody = z.output<typeof chatRequestSchema>;
/** A validated generate body. */
export type GenerateBody = z.output<typeof generateRequestSchema>;
/** A validated embed body. */
export type EmbedBody = z.output<typeof embedRequestSchema>;
