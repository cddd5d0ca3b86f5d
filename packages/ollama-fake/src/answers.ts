import { createHash } from 'node:crypto';

const vocabulary = (
  'the a graph node edge knowledge model answer local cloud fallback queue quota health ' +
  'reliable stream token request server client retry signal memory context vector index ' +
  'query relation entity summary note link search result value simple clear quick small ' +
  'steady deterministic fake ollama test every route order window limit usage plan check ' +
  'build record store reply sends keeps returns holds reads writes finds shows gives'
).split(' ');

function digest(parts: readonly string[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest();
}

/** The canonical input of a chat request: its messages, role and content. */
export function chatKey(
  messages: readonly { readonly role?: unknown; readonly content?: unknown }[],
): string {
  let key = '';
  for (const message of messages) key += `${String(message.role ?? '')}:${String(message.content ?? '')}\n`;
  return key;
}

/** The canonical input of a generate request. */
export function generateKey(prompt: string, system: string | undefined): string {
  return system ? `system:${system}\nprompt:${prompt}` : `prompt:${prompt}`;
}

/**
 * A deterministic answer: 8 to 15 words drawn from a fixed vocabulary by a hash of model and input,
 * or a small JSON document when the request asked for JSON (`format`).
 */
export function answerText(model: string, kind: 'chat' | 'generate', input: string, format: unknown): string {
  const bytes = digest([kind, model, input]);
  const count = 8 + (bytes[0]! % 8);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(vocabulary[bytes[(i + 1) % bytes.length]! % vocabulary.length]!);
  const sentence = words.join(' ');
  if (format !== undefined && format !== null && format !== '') {
    const shaped = isSchemaObject(format) ? valueForSchema(format, sentence, 0) : undefined;
    return JSON.stringify(isPlainObject(shaped) ? shaped : { answer: sentence, model });
  }
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** The deterministic thinking text of a request (what `message.thinking` / `thinking` carry with `think`). */
export function thinkingText(model: string, kind: 'chat' | 'generate', input: string): string {
  const bytes = digest(['thinking', kind, model, input]);
  const count = 6 + (bytes[0]! % 6);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(vocabulary[bytes[(i + 2) % bytes.length]! % vocabulary.length]!);
  return `Let me think: ${words.join(' ')}.`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchemaObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && (value.type === 'object' || isPlainObject(value.properties));
}

/** A JSON value that satisfies a (simple) JSON schema: every property filled, strings from the sentence. */
function valueForSchema(schema: Record<string, unknown>, sentence: string, depth: number): unknown {
  if (depth > 8) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return sentence;
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? Math.max(1, Math.ceil(schema.minimum)) : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const items = isPlainObject(schema.items) ? schema.items : {};
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      return Array.from({ length: Math.min(Math.max(min, 1), 3) }, () =>
        valueForSchema(items, sentence, depth + 1),
      );
    }
    default: {
      if (!isPlainObject(schema.properties)) return type === 'object' ? {} : sentence;
      const result: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(schema.properties)) {
        result[key] = isPlainObject(value) ? valueForSchema(value, sentence, depth + 1) : sentence;
      }
      return result;
    }
  }
}

/** Splits text into exactly `count` pieces (some may be empty), by code point, preserving order. */
export function splitChunks(text: string, count: number): string[] {
  const points = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((i * points.length) / count);
    const end = Math.floor(((i + 1) * points.length) / count);
    chunks.push(points.slice(start, end).join(''));
  }
  return chunks;
}

/** A rough token count: words and punctuation runs. */
export function tokenCount(text: string): number {
  const matches = text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu);
  return matches ? matches.length : 0;
}

/**
 * A deterministic unit vector of `dimensions` values derived from model and input (sfc32 seeded by a
 * SHA-256 of both), rounded to 7 decimals to keep the JSON small.
 * `dimensions` below the model's size truncates then re-normalises, as Ollama's `dimensions` does.
 */
export function embeddingVector(
  model: string,
  input: string,
  modelDimensions: number,
  dimensions?: number,
): number[] {
  const seed = digest(['embedding', model, input]);
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  const count =
    dimensions !== undefined && dimensions > 0 && dimensions < modelDimensions ? dimensions : modelDimensions;
  const values = new Array<number>(count);
  let norm = 0;
  for (let i = 0; i < count; i++) {
    // sfc32: small, fast and good enough for spreading values over [-1, 1)
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const value = (t >>> 0) / 2147483648 - 1;
    values[i] = value;
    norm += value * value;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < count; i++) values[i] = Math.round((values[i]! / norm) * 1e7) / 1e7;
  return values;
}

/** Deterministic token ids for `/api/generate`'s `context`. */
export function contextTokens(input: string, answer: string): number[] {
  const count = Math.min(tokenCount(input) + tokenCount(answer), 64);
  const bytes = digest(['context', input, answer]);
  const tokens: number[] = [];
  for (let i = 0; i < count; i++) tokens.push(1 + ((bytes[i % bytes.length]! * 131 + i * 7) % 32000));
  return tokens;
}
