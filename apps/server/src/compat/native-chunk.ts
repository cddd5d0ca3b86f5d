import { randomBytes } from 'node:crypto';

/** One native tool call as Ollama sends it in `message.tool_calls`. */
export interface NativeToolCall {
  readonly id?: string;
  readonly function?: { readonly index?: number; readonly name?: string; readonly arguments?: unknown };
}

/** One native `/api/chat` answer or stream chunk (only the fields the translators read). */
export interface NativeChatChunk {
  readonly model?: string;
  readonly created_at?: string;
  readonly message?: {
    readonly role?: string;
    readonly content?: string;
    readonly thinking?: string;
    readonly tool_calls?: readonly NativeToolCall[];
  };
  readonly done?: boolean;
  readonly done_reason?: string;
  readonly prompt_eval_count?: number;
  readonly eval_count?: number;
  readonly logprobs?: readonly Record<string, unknown>[];
}

/** One native `/api/generate` answer or stream chunk. */
export interface NativeGenerateChunk {
  readonly model?: string;
  readonly response?: string;
  readonly thinking?: string;
  readonly done?: boolean;
  readonly done_reason?: string;
  readonly prompt_eval_count?: number;
  readonly eval_count?: number;
  readonly logprobs?: readonly Record<string, unknown>[];
}

/** A native chat message as the gateway sends it upstream. */
export interface NativeMessage {
  role: string;
  content: string;
  images?: string[];
  thinking?: string;
  tool_calls?: { id?: string; function: { name: string; arguments: unknown } }[];
  tool_call_id?: string;
  tool_name?: string;
}

/** A random id with a prefix, e.g. `msg_1f…`. */
export function randomId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

/** The tool calls of a chunk (an empty array when it has none). */
export function toolCallsOf(chunk: NativeChatChunk): readonly NativeToolCall[] {
  const calls = chunk.message?.tool_calls;
  return Array.isArray(calls) ? calls : [];
}

/** A tool call's arguments as an object (native arguments are an object; a JSON text is parsed). */
export function argumentsObject(call: NativeToolCall): Record<string, unknown> {
  const value = call.function?.arguments;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** A native tool call as every protocol sends it: an id, the tool's name, the arguments as an object. */
export interface ToolCallParts {
  readonly id: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/** The tool calls of a chunk as {@link ToolCallParts}; a call without an id gets a random one with `idPrefix`. */
export function toolCallParts(chunk: NativeChatChunk, idPrefix: string): ToolCallParts[] {
  return toolCallsOf(chunk).map((call) => ({
    id: call.id !== undefined && call.id !== '' ? call.id : randomId(idPrefix),
    name: call.function?.name ?? '',
    arguments: argumentsObject(call),
  }));
}

/**
 * The name of the tool a result answers: the last earlier assistant tool call with that id (Ollama's
 * `nameFromToolCallID`: "last one wins" when ids repeat).
 */
export function toolNameFor(messages: readonly NativeMessage[], callId: string): string | undefined {
  for (let index = messages.length - 1; index >= 0; index--) {
    for (const call of messages[index]?.tool_calls ?? []) {
      if (call.id === callId) return call.function.name;
    }
  }
  return undefined;
}
