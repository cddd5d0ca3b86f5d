import { describe, expect, it } from 'vitest';
import {
  fallbackChain,
  isEmbeddingModel,
  largestModel,
  modelMatches,
  normalizeModelName,
  parameterCount,
  parseParameterSize,
  sortLargestFirst,
} from './model-names.js';
import type { PulledModel } from './types.js';

function pulled(name: string, parameterSize?: string): PulledModel {
  return {
    name,
    sizeBytes: 1,
    ...(parameterSize === undefined ? {} : { parameterSize }),
    parameters: parameterCount({ name, ...(parameterSize === undefined ? {} : { parameterSize }) }),
  };
}

describe('parameterCount', () => {
  it.each([
    ['gemma2:9b', 9e9],
    ['gemma2:9B', 9e9],
    ['llama3.2:3b', 3e9],
    ['qwen2.5:1.5b', 1.5e9],
    ['gemma3:270m', 270e6],
    ['mixtral:8x7b', 56e9],
    ['mixtral:8x22b-instruct-v0.1-q4_K_M', 176e9],
    ['deepseek-r1:1.5b', 1.5e9],
    ['phi3:3.8b', 3.8e9],
    ['phi3:3.8b-mini-128k-instruct-q4_K_M', 3.8e9],
    ['llama3.1:8b-instruct-q8_0', 8e9],
    ['gpt-oss:120b', 120e9],
    ['qwen3:30b-a3b', 30e9],
    ['all-minilm:22m', 22e6],
    ['hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', 3e9],
    ['hf.co/unsloth/Qwen3-30B-A3B-GGUF:latest', 30e9],
    ['hf.co/TheBloke/Mistral-7B-Instruct-v0.2-GGUF', 7e9],
    ['llama-3-9-billion', 9e9],
    ['my-model-1.5-billion:latest', 1.5e9],
    ['custom_9billion', 9e9],
    ['nomic-embed-text', 0],
    ['nomic-embed-text:latest', 0],
    ['mistral:latest', 0],
    ['llama3.2', 0],
    ['qwen2.5-coder:latest', 0],
    ['', 0],
  ])('sizes %s from its name as %d', (name, expected) => {
    expect(parameterCount(name)).toBe(expected);
  });

  it("prefers the server's parameter_size, so mistral:latest is sized", () => {
    expect(parameterCount({ name: 'mistral:latest', details: { parameter_size: '7.2B' } })).toBe(7.2e9);
    expect(parameterCount({ name: 'nomic-embed-text:latest', details: { parameter_size: '137M' } })).toBe(
      137e6,
    );
  });

  it('falls back to the name when parameter_size is empty (cloud listings)', () => {
    expect(parameterCount({ name: 'gpt-oss:120b', details: { parameter_size: '' } })).toBe(120e9);
  });

  it('uses a PulledModel parameterSize and parameters', () => {
    expect(parameterCount({ name: 'x:latest', parameterSize: '3.2B' })).toBe(3.2e9);
    expect(parameterCount({ name: 'x:latest', parameters: 42 })).toBe(42);
  });
});

describe('parseParameterSize', () => {
  it.each([
    ['7.2B', 7.2e9],
    ['46.7B', 46.7e9],
    ['137M', 137e6],
    ['8x7B', 56e9],
    ['1,000M', 1e9],
    ['', 0],
    ['unknown', 0],
  ])('parses %s', (value, expected) => {
    expect(parseParameterSize(value)).toBe(expected);
  });
});

describe('modelMatches', () => {
  it.each([
    ['llama3.2', 'llama3.2:latest', true],
    ['llama3.2:latest', 'llama3.2', true],
    ['Llama3.2', 'llama3.2:latest', true],
    ['llama3.2', 'llama3.2:3b', false],
    ['llama3.2:3b', 'llama3.2:3b', true],
    ['gemma2:9b', 'gemma2:2b', false],
    ['registry.ollama.ai/library/gemma2:9b', 'gemma2:9b', true],
    ['hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF', 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:latest', true],
    ['localhost:5000/mymodel', 'localhost:5000/mymodel:latest', true],
    ['', 'llama3.2:latest', false],
  ])('%s vs %s -> %s', (requested, pulledName, expected) => {
    expect(modelMatches(requested, pulledName)).toBe(expected);
  });

  it('normalises a missing tag to :latest', () => {
    expect(normalizeModelName('nomic-embed-text')).toBe('nomic-embed-text:latest');
  });
});

describe('largestModel', () => {
  it('picks the largest, using parameter_size over the name', () => {
    const models = [
      { name: 'llama3.2:3b' },
      { name: 'mistral:latest', details: { parameter_size: '7.2B' } },
      { name: 'nomic-embed-text' },
    ];
    expect(largestModel(models)?.name).toBe('mistral:latest');
  });

  it('returns undefined for no models and the first on a tie', () => {
    expect(largestModel([])).toBeUndefined();
    expect(largestModel([{ name: 'a:3b' }, { name: 'b:3b' }])?.name).toBe('a:3b');
  });

  it('sorts unsized models last', () => {
    const order = sortLargestFirst([
      { name: 'nomic-embed-text' },
      { name: 'gemma3:270m' },
      { name: 'gemma2:9b' },
    ]);
    expect(order.map((model) => model.name)).toEqual(['gemma2:9b', 'gemma3:270m', 'nomic-embed-text']);
  });
});

describe('isEmbeddingModel', () => {
  it.each([
    [{ name: 'nomic-embed-text:latest' }, true],
    [{ name: 'mxbai-embed-large:335m' }, true],
    [{ name: 'all-minilm:22m' }, true],
    [{ name: 'bge-m3:latest' }, true],
    [{ name: 'custom:latest', family: 'nomic-bert' }, true],
    [{ name: 'llama3.2:3b', family: 'llama' }, false],
    [{ name: 'embedding-gemma-chat:2b', capabilities: ['completion'] }, false],
    [{ name: 'qwen3-embedding:0.6b', capabilities: ['embedding'] }, true],
  ])('%j -> %s', (model, expected) => {
    expect(isEmbeddingModel(model)).toBe(expected);
  });
});

describe('fallbackChain', () => {
  const models = [
    pulled('llama3.2:3b', '3.2B'),
    pulled('mistral:latest', '7.2B'),
    pulled('nomic-embed-text:latest'),
  ];

  it('keeps the configured order, using the pulled names', () => {
    expect(fallbackChain(['mistral', 'llama3.2:3b'], models)).toEqual({
      chain: ['mistral:latest', 'llama3.2:3b'],
      dropped: [],
    });
  });

  it('drops models that are not pulled, with a warning that names them and the pull command', () => {
    const result = fallbackChain(['gemma2:9b', 'llama3.2:3b', 'qwen2.5:1.5b'], models);
    expect(result.chain).toEqual(['llama3.2:3b']);
    expect(result.dropped).toEqual(['gemma2:9b', 'qwen2.5:1.5b']);
    expect(result.warning).toBe(
      'Local fallback models not pulled, skipped: gemma2:9b, qwen2.5:1.5b. Using: llama3.2:3b. Run: ollama pull gemma2:9b && ollama pull qwen2.5:1.5b',
    );
  });

  it('says so when no configured model is pulled', () => {
    const result = fallbackChain(['gemma2:9b'], models);
    expect(result.chain).toEqual([]);
    expect(result.warning).toContain('No configured local model is usable');
  });

  it('uses every pulled chat model, largest first, when the chain is empty', () => {
    expect(fallbackChain([], [...models, pulled('gemma3:270m')])).toEqual({
      chain: ['mistral:latest', 'llama3.2:3b', 'gemma3:270m'],
      dropped: [],
    });
  });

  it('says so when only embedding models are pulled and the chain is empty', () => {
    const result = fallbackChain([], [pulled('nomic-embed-text:latest', '137M')]);
    expect(result.chain).toEqual([]);
    expect(result.warning).toBe(
      'Only embedding models are pulled (nomic-embed-text:latest). Pull a chat model, e.g.: ollama pull llama3.2:3b',
    );
  });

  it('keeps an embedding model the configuration names explicitly', () => {
    expect(fallbackChain(['nomic-embed-text'], models).chain).toEqual(['nomic-embed-text:latest']);
  });

  it('warns when the chain is empty and nothing is pulled', () => {
    const result = fallbackChain([], []);
    expect(result.chain).toEqual([]);
    expect(result.warning).toContain('No local models are pulled');
  });

  it('lists a model once even when configured twice', () => {
    expect(fallbackChain(['llama3.2:3b', 'llama3.2:3b'], models).chain).toEqual(['llama3.2:3b']);
  });
});
