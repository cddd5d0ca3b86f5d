import type { PulledModel } from './types.js';

/**
 * Splits an Ollama model reference into its name and tag. The tag is whatever follows the last `:` that comes
 * after the last `/` (so a registry port such as `host:5000/model` is not mistaken for a tag).
 */
function splitTag(reference: string): { name: string; tag: string | undefined } {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { name: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { name: reference, tag: undefined };
}

/**
 * Normalises a model reference the way Ollama does: case-insensitive, the default registry prefix
 * (`registry.ollama.ai/library/`) dropped, and a missing tag meaning `:latest`.
 *
 * @example normalizeModelName('Llama3.2') // 'llama3.2:latest'
 */
export function normalizeModelName(reference: string): string {
  let value = reference.trim().toLowerCase();
  for (const prefix of ['registry.ollama.ai/', 'library/']) {
    if (value.startsWith(prefix)) value = value.slice(prefix.length);
  }
  const { name, tag } = splitTag(value);
  return `${name}:${tag === undefined || tag === '' ? 'latest' : tag}`;
}

/**
 * Whether a requested model name refers to a pulled model, following Ollama's rules: a name without a tag
 * means `:latest` (`llama3.2` matches `llama3.2:latest`, not `llama3.2:3b`), and names compare case-insensitively.
 */
export function modelMatches(requested: string, pulledName: string): boolean {
  if (requested.trim() === '' || pulledName.trim() === '') return false;
  return normalizeModelName(requested) === normalizeModelName(pulledName);
}

const UNIT: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  million: 1e6,
  b: 1e9,
  billion: 1e9,
  t: 1e12,
  trillion: 1e12,
};

/*
 * A size inside a model name: `9b`, `1.5B`, `270m`, `8x7b` (experts x size), `9-billion`.
 * Not preceded by a letter, digit or dot (so `a3b` in `30b-a3b` and `3.2` in `llama3.2` are not sizes), and
 * not followed by a letter or digit (so `7bit` is not a size). Single-letter units are b and m only: `k`
 * appears in context sizes (`128k`) and quantisation names (`q4_k_m`).
 */
const NAME_SIZE =
  /(?<![a-z0-9.])(\d+(?:\.\d+)?)(?:x(\d+(?:\.\d+)?))?(?:(b|m)|[-_ ]?(billion|million|trillion))(?![a-z0-9])/i;

/* details.parameter_size as Ollama reports it: '7.2B', '137M', '46.7B', '8x7B', sometimes '1,000M'. */
const REPORTED_SIZE =
  /^\s*(\d+(?:\.\d+)?)(?:\s*x\s*(\d+(?:\.\d+)?))?\s*(k|m|b|t|thousand|million|billion|trillion)?\s*$/i;

function fromMatch(count: string, experts: string | undefined, unit: string): number {
  const multiplier = UNIT[unit.toLowerCase()] ?? 0;
  const base = Number(count) * multiplier;
  const total = experts === undefined ? base : base * Number(experts);
  return Number.isFinite(total) && total > 0 ? Math.round(total) : 0;
}

/** Parses Ollama's `details.parameter_size` ('7.2B', '270M', '8x7B'); 0 when it is empty or unparseable. */
export function parseParameterSize(value: string | undefined): number {
  if (value === undefined) return 0;
  const match = REPORTED_SIZE.exec(value.replace(/,/g, ''));
  if (match === null) return 0;
  const [, count, experts, unit] = match;
  // A bare number is taken as a raw parameter count.
  if (unit === undefined) {
    const raw = Number(count) * (experts === undefined ? 1 : Number(experts));
    return Number.isFinite(raw) && raw >= 1 ? Math.round(raw) : 0;
  }
  return fromMatch(count!, experts, unit);
}

/** Parses a size out of a model name; the tag is preferred over the name part. 0 when none is found. */
export function parseSizeFromName(reference: string): number {
  const { name, tag } = splitTag(reference);
  for (const part of [tag, name]) {
    if (part === undefined) continue;
    const match = NAME_SIZE.exec(part);
    if (match !== null) return fromMatch(match[1]!, match[2], match[3] ?? match[4]!);
  }
  return 0;
}

/** Anything {@link parameterCount} can size: a name, an `/api/tags` entry, or a {@link PulledModel}. */
export type SizableModel =
  | string
  | {
      readonly name: string;
      readonly details?: { readonly parameter_size?: string } | null;
      readonly parameterSize?: string;
      readonly parameters?: number;
    };

/**
 * The parameter count of a model, as a plain number (9b = 9_000_000_000).
 *
 * Uses the server's own `details.parameter_size` (or a {@link PulledModel}'s `parameterSize` /
 * `parameters`) when present, so `mistral:latest` is sized correctly from `7.2B`. Otherwise it parses the
 * name; supported forms (case-insensitive): `gemma2:9b`, `9B`, `qwen2.5:1.5b`, `gemma3:270m`,
 * `llama-3-9-billion` (also `9billion`, `9_billion`, `9 million`), `hf.co/org/Llama-3.2-3B-Instruct-GGUF`.
 * A mixture-of-experts name such as `mixtral:8x7b` counts as the product (8 × 7B = 56B), which orders MoE
 * models by total size, not by the parameters active per token. An unsized model (`nomic-embed-text`,
 * `mistral:latest` without details) counts 0 and sorts last.
 */
export function parameterCount(model: SizableModel): number {
  if (typeof model === 'string') return parseSizeFromName(model);
  if (typeof model.parameters === 'number' && Number.isFinite(model.parameters) && model.parameters > 0) {
    return model.parameters;
  }
  const reported =
    parseParameterSize(model.parameterSize) || parseParameterSize(model.details?.parameter_size ?? undefined);
  return reported > 0 ? reported : parseSizeFromName(model.name);
}

/**
 * Orders models largest first by {@link parameterCount}; unsized models last; ties keep their input order.
 * Returns a new array.
 */
export function sortLargestFirst<T extends { name: string }>(models: readonly T[]): T[] {
  return models
    .map((model, index) => ({ model, index, size: parameterCount(model) }))
    .sort((a, b) => b.size - a.size || a.index - b.index)
    .map((entry) => entry.model);
}

/** The model with the largest {@link parameterCount} (the first one on a tie), or undefined for an empty list. */
export function largestModel<T extends { name: string }>(models: readonly T[]): T | undefined {
  return sortLargestFirst(models)[0];
}

const EMBEDDING_FAMILIES = new Set(['bert', 'nomic-bert', 'xlm-roberta']);

/**
 * Whether a pulled model can only embed (so it cannot answer chat or generate): its `capabilities` lack
 * `completion` when the server lists them; otherwise its family is a BERT-style encoder or its name says so
 * (`nomic-embed-text`, `mxbai-embed-large`, `all-minilm`, `bge-m3`).
 */
export function isEmbeddingModel(model: Pick<PulledModel, 'name' | 'family' | 'capabilities'>): boolean {
  if (model.capabilities !== undefined && model.capabilities.length > 0) {
    return !model.capabilities.includes('completion');
  }
  if (model.family !== undefined && EMBEDDING_FAMILIES.has(model.family.toLowerCase())) return true;
  const { name } = splitTag(model.name.toLowerCase());
  const base = name.slice(name.lastIndexOf('/') + 1);
  return /embed|minilm|^bge-|^e5-/.test(base);
}

/** The local fallback chain after filtering to pulled models. */
export interface FallbackChain {
  /** Pulled model names (as `/api/tags` names them), in the order to try them. */
  chain: string[];
  /** Configured models that are not pulled, as configured. */
  dropped: string[];
  /** A message a person can act on, when something was dropped or nothing is usable. */
  warning?: string;
}

/** `ollama pull a && ollama pull b` */
export function pullCommand(models: readonly string[]): string {
  return models.map((model) => `ollama pull ${model}`).join(' && ');
}

/**
 * The local fallback chain: the configured chain filtered to pulled models in its order (each configured name
 * matched with {@link modelMatches}, so `llama3.2` finds `llama3.2:latest`), with a warning naming what was
 * dropped. With an empty configured chain: every pulled model that can chat, largest first (embedding-only
 * models, see {@link isEmbeddingModel}, are left out: they cannot answer chat or generate).
 */
export function fallbackChain(configured: readonly string[], pulled: readonly PulledModel[]): FallbackChain {
  if (configured.length === 0) {
    const chain = sortLargestFirst(pulled.filter((model) => !isEmbeddingModel(model))).map(
      (model) => model.name,
    );
    if (chain.length > 0) return { chain, dropped: [] };
    const warning =
      pulled.length === 0
        ? 'No local models are pulled. Pull one, e.g.: ollama pull llama3.2:3b'
        : `Only embedding models are pulled (${pulled.map((model) => model.name).join(', ')}). Pull a chat model, e.g.: ollama pull llama3.2:3b`;
    return { chain, dropped: [], warning };
  }
  const chain: string[] = [];
  const dropped: string[] = [];
  for (const wanted of configured) {
    const found = pulled.find((model) => modelMatches(wanted, model.name));
    if (found === undefined) dropped.push(wanted);
    else if (!chain.includes(found.name)) chain.push(found.name);
  }
  if (dropped.length === 0) return { chain, dropped };
  const usable = chain.length > 0 ? `Using: ${chain.join(', ')}.` : 'No configured local model is usable.';
  return {
    chain,
    dropped,
    warning: `Local fallback models not pulled, skipped: ${dropped.join(', ')}. ${usable} Run: ${pullCommand(dropped)}`,
  };
}
