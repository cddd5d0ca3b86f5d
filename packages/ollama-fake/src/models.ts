import { createHash } from 'node:crypto';
import { OllamaFakeError } from './ollama-fake-error.js';
import type { FakeModelSpec } from './types.js';

/** A model with every field resolved. */
export interface ResolvedModel {
  readonly name: string;
  readonly parameterSize: string;
  readonly quantization: string;
  readonly family: string;
  readonly sizeBytes: number;
  readonly embeddingDimensions: number;
  readonly capabilities: readonly string[];
  readonly contextLength: number;
  readonly digest: string;
}

/** `x` -> `x:latest`, as Ollama names models without a tag. */
export function normalizeModelName(name: string): string {
  const slash = name.lastIndexOf('/');
  return name.indexOf(':', slash + 1) === -1 ? `${name}:latest` : name;
}

const knownEmbedding: Record<string, { size: string; dims: number; family: string }> = {
  'nomic-embed-text': { size: '137M', dims: 768, family: 'nomic-bert' },
  'mxbai-embed-large': { size: '334M', dims: 1024, family: 'bert' },
  'all-minilm': { size: '23M', dims: 384, family: 'bert' },
};

function parameterCount(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMBT])$/i.exec(size);
  if (!match) return 7e9;
  const scale: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  return Number(match[1]) * (scale[match[2]!.toUpperCase()] ?? 1e9);
}

/** Capabilities by name: embedding models embed; thinking families (gpt-oss, qwen3, deepseek-r1) think. */
function defaultCapabilities(base: string, isEmbedding: boolean): string[] {
  if (isEmbedding) return ['embedding'];
  if (/^deepseek-r1/i.test(base)) return ['completion', 'thinking'];
  if (/^(gpt-oss|qwen3|magistral)/i.test(base)) return ['completion', 'tools', 'thinking'];
  return ['completion', 'tools'];
}

function fail(message: string): never {
  throw new OllamaFakeError('INVALID_MODELS', message);
}

/** Resolves one model spec, deriving what is missing from the name. */
export function resolveModel(spec: FakeModelSpec): ResolvedModel {
  const info = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof info !== 'object' || info === null || typeof info.name !== 'string' || info.name.trim() === '') {
    fail(
      `Each model must be a name or an object with a non-empty string "name"; got ${JSON.stringify(spec)}.`,
    );
  }
  const name = normalizeModelName(info.name.trim());
  const [base = name, tag = 'latest'] = name.split(':');
  const plainBase = base.slice(base.lastIndexOf('/') + 1);
  const known = knownEmbedding[plainBase];
  const isEmbedding = known !== undefined || /embed|minilm/i.test(plainBase);
  const tagSize = /(?:^|[-_])(\d+(?:\.\d+)?)([bm])(?:$|[-_])/i.exec(tag);
  const parameterSize =
    info.parameterSize ??
    known?.size ??
    (tagSize ? `${tagSize[1]}${tagSize[2]!.toUpperCase()}` : isEmbedding ? '137M' : '7B');
  const quantization = info.quantization ?? (isEmbedding ? 'F16' : 'Q4_K_M');
  const bytesPerParameter = quantization.toUpperCase().startsWith('F16') ? 2 : 0.6;
  const fields: ResolvedModel = {
    name,
    parameterSize,
    quantization,
    family: info.family ?? known?.family ?? (/^[a-z]+/i.exec(plainBase)?.[0]?.toLowerCase() || 'llama'),
    sizeBytes: info.sizeBytes ?? Math.round(parameterCount(parameterSize) * bytesPerParameter),
    embeddingDimensions: info.embeddingDimensions ?? known?.dims ?? (isEmbedding ? 768 : 256),
    capabilities: info.capabilities ?? defaultCapabilities(plainBase, isEmbedding),
    contextLength: info.contextLength ?? (isEmbedding ? 2048 : 8192),
    digest: createHash('sha256').update(name).digest('hex'),
  };
  if (!Number.isInteger(fields.embeddingDimensions) || fields.embeddingDimensions < 1) {
    fail(`Model "${name}": embeddingDimensions must be a positive integer.`);
  }
  if (!Number.isFinite(fields.sizeBytes) || fields.sizeBytes < 0)
    fail(`Model "${name}": sizeBytes must be >= 0.`);
  if (!Array.isArray(fields.capabilities) || fields.capabilities.some((c) => typeof c !== 'string')) {
    fail(`Model "${name}": capabilities must be an array of strings.`);
  }
  for (const key of ['parameterSize', 'quantization', 'family'] as const) {
    if (typeof fields[key] !== 'string') fail(`Model "${name}": ${key} must be a string.`);
  }
  return fields;
}

/** Resolves a model list into a map keyed by normalized name. */
export function resolveModels(specs: readonly FakeModelSpec[]): Map<string, ResolvedModel> {
  if (!Array.isArray(specs)) fail('models must be an array of model names or model objects.');
  const map = new Map<string, ResolvedModel>();
  for (const spec of specs) {
    const model = resolveModel(spec);
    map.set(model.name, model);
  }
  return map;
}
