import { z } from 'zod';

const imageSource = z.looseObject({
  type: z.enum(['base64', 'url']),
  media_type: z.string().optional(),
  data: z.string().optional(),
  url: z.string().optional(),
});

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const imageBlock = z.looseObject({ type: z.literal('image'), source: imageSource });
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()).optional(),
});
const toolResultContent = z.union([
  z.string(),
  z.array(z.union([textBlock, imageBlock, z.looseObject({ type: z.string() })])),
]);
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: toolResultContent.optional(),
  is_error: z.boolean().optional(),
});
const thinkingBlock = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().optional(),
});
const serverToolUseBlock = z.looseObject({
  type: z.literal('server_tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()).optional(),
});
const webSearchResultBlock = z.looseObject({
  type: z.literal('web_search_tool_result'),
  tool_use_id: z.string(),
  content: z.unknown().optional(),
});
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking') });
const documentBlock = z.looseObject({ type: z.literal('document') });

/** One content block of a message. */
export const anthropicContentBlock = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  serverToolUseBlock,
  webSearchResultBlock,
  redactedThinkingBlock,
  documentBlock,
]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(anthropicContentBlock)]),
});

const tool = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});

/** `POST /v1/messages` (Anthropic Messages API). Unknown fields (`metadata`, `cache_control`, …) are allowed. */
export const anthropicMessagesSchema = z.looseObject({
  model: z.string().optional(),
  max_tokens: z.number().int().positive().optional(),
  messages: z.array(message),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(tool).optional(),
  tool_choice: z.looseObject({ type: z.string() }).optional(),
  thinking: z
    .looseObject({ type: z.enum(['enabled', 'disabled', 'adaptive']), budget_tokens: z.number().optional() })
    .optional(),
  output_config: z.looseObject({ effort: z.string().optional() }).optional(),
});

/** A validated `/v1/messages` body. */
export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesSchema>;
/** A validated content block. */
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlock>;
