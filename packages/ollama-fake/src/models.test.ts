import { describe, expect, it } from 'vitest';
import { answerText, embeddingVector, splitChunks } from './answers.js';
import { FaultBook, validateFault, validateFaults } from './faults.js';
import { normalizeModelName, resolveModel } from './models.js';
import { OllamaFakeError } from './ollama-fake-error.js';

describe('resolveModel', () => {
  it('derives plausible metadata from a name', () => {
    expect(resolveModel('gemma2:9b')).toMatchObject({
      name: 'gemma2:9b',
      parameterSize: '9B',
      quantization: 'Q4_K_M',
      family: 'gemma',
      capabilities: ['completion', 'tools'],
    });
    expect(resolveModel('llama3.2:1.5b').parameterSize).toBe('1.5B');
    expect(resolveModel('nomic-embed-text')).toMatchObject({
      name: 'nomic-embed-text:latest',
      parameterSize: '137M',
      embeddingDimensions: 768,
      capabilities: ['embedding'],
    });
  });

  it('gives the thinking families the thinking capability by default', () => {
    expect(resolveModel('gpt-oss:120b').capabilities).toEqual(['completion', 'tools', 'thinking']);
    expect(resolveModel('qwen3:8b').capabilities).toContain('thinking');
    expect(resolveModel('deepseek-r1:7b').capabilities).toEqual(['completion', 'thinking']);
    expect(resolveModel('qwen3-embedding:0.6b').capabilities).toEqual(['embedding']);
    expect(resolveModel('gemma2:9b').capabilities).not.toContain('thinking');
  });

  it('orders derived sizes by parameter count', () => {
    expect(resolveModel('gemma2:9b').sizeBytes).toBeGreaterThan(resolveModel('llama3.2:3b').sizeBytes);
  });

  it('keeps explicit metadata', () => {
    const model = resolveModel({
      name: 'x:1b',
      parameterSize: '1.2B',
      sizeBytes: 5,
      family: 'f',
      capabilities: [],
    });
    expect(model).toMatchObject({ parameterSize: '1.2B', sizeBytes: 5, family: 'f', capabilities: [] });
  });

  it('normalises names without a tag to :latest, keeping namespaces', () => {
    expect(normalizeModelName('a')).toBe('a:latest');
    expect(normalizeModelName('a:1b')).toBe('a:1b');
    expect(normalizeModelName('host:5000/ns/a')).toBe('host:5000/ns/a:latest');
  });

  it('rejects bad specs with INVALID_MODELS', () => {
    try {
      resolveModel({ name: 'a', sizeBytes: -1 });
      expect.unreachable();
    } catch (error) {
      expect(OllamaFakeError.isInstance(error)).toBe(true);
      expect((error as OllamaFakeError).code).toBe('INVALID_MODELS');
    }
  });
});

describe('validateFault', () => {
  it('throws OllamaFakeError INVALID_FAULT naming the field', () => {
    expect(() => validateFault({ kind: 'status', status: 99 })).toThrow(/"status" must be an integer/);
    const error = (() => {
      try {
        validateFaults([{ kind: 'bogus' }]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(OllamaFakeError.isInstance(error) && error.code).toBe('INVALID_FAULT');
    expect(OllamaFakeError.isInstance(new Error('x'))).toBe(false);
  });

  it('defaults times to Infinity', () => {
    expect(validateFault({ kind: 'hang' }).remaining).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('FaultBook', () => {
  it('takes the first live matching fault and moves on when it is used up', () => {
    const book = new FaultBook();
    book.add(
      validateFaults([
        { kind: 'status', status: 503, times: 2, path: '/api/chat' },
        { kind: 'reset', times: 1, model: 'a' },
      ]),
    );
    expect(book.take('/api/generate', 'b')).toBeUndefined();
    expect(book.take('/api/chat', 'b')?.kind).toBe('status');
    expect(book.take('/api/chat', 'a:latest')?.kind).toBe('status');
    expect(book.take('/api/chat', 'a')?.kind).toBe('reset');
    expect(book.take('/api/chat', 'a')).toBeUndefined();
  });
});

describe('answers', () => {
  it('splits text into exactly n chunks without breaking code points', () => {
    const chunks = splitChunks('añ😀b', 3);
    expect(chunks).toHaveLength(3);
    expect(chunks.join('')).toBe('añ😀b');
    expect(splitChunks('ab', 4)).toEqual(['', 'a', '', 'b']);
  });

  it('is deterministic per model and input', () => {
    expect(answerText('m', 'chat', 'x', undefined)).toBe(answerText('m', 'chat', 'x', undefined));
    expect(answerText('m', 'chat', 'x', undefined)).not.toBe(answerText('n', 'chat', 'x', undefined));
  });

  it('makes unit vectors of the model dimension', () => {
    const vector = embeddingVector('m', 'x', 100);
    expect(vector).toHaveLength(100);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(embeddingVector('m', 'x', 100)).toEqual(vector);
    expect(embeddingVector('m', 'y', 100)).not.toEqual(vector);
  });
});
