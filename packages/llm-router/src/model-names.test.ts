import { modelMatches } from '@graphiti/llm-health';
import { describe, expect, it } from 'vitest';
import { isDefaultModel, parseModelRef, preferRequested, resolveCloudModel } from './model-names.js';

describe('cloud model names', () => {
  it.each([
    ['gpt-oss:120b-cloud', 'gpt-oss:120b'],
    ['glm-5:cloud', 'glm-5'],
    ['gpt-oss:120b', 'gpt-oss:120b'],
    ['my-cloud', 'my-cloud'],
    [' qwen3-coder:480b-cloud ', 'qwen3-coder:480b'],
  ])('%s is sent as %s', (input, sent) => {
    expect(resolveCloudModel(input, 'gpt-oss:120b')).toBe(sent);
  });

  it.each([
    ['gemma2:9b:local', { name: 'gemma2:9b', force: 'local' }],
    ['llama3.2:local', { name: 'llama3.2', force: 'local' }],
    ['glm-5:cloud', { name: 'glm-5', force: 'cloud' }],
    ['gpt-oss:120b-cloud', { name: 'gpt-oss:120b', force: 'cloud' }],
    ['gemma2:9b', { name: 'gemma2:9b' }],
  ])('reads the side suffix of %s', (input, ref) => {
    expect(parseModelRef(input)).toEqual(ref);
  });

  it('maps no model and "default" to cloud.default_model', () => {
    expect(isDefaultModel(undefined)).toBe(true);
    expect(isDefaultModel('default')).toBe(true);
    expect(resolveCloudModel(undefined, 'gpt-oss:120b-cloud')).toBe('gpt-oss:120b');
    expect(resolveCloudModel('default', 'gpt-oss:120b')).toBe('gpt-oss:120b');
    expect(resolveCloudModel('llama3.2:3b', 'gpt-oss:120b')).toBe('llama3.2:3b');
  });
});

describe('preferRequested', () => {
  const pulled = ['gemma2:9b', 'llama3.2:latest', 'mistral:7b'];
  it('puts a pulled requested model first, under its pulled name', () => {
    expect(preferRequested(['gemma2:9b', 'llama3.2:latest'], pulled, 'llama3.2', modelMatches)).toEqual([
      'llama3.2:latest',
      'gemma2:9b',
    ]);
    expect(preferRequested(['gemma2:9b'], pulled, 'mistral:7b', modelMatches)).toEqual([
      'mistral:7b',
      'gemma2:9b',
    ]);
  });
  it('keeps the chain for default or unpulled models', () => {
    expect(preferRequested(['gemma2:9b'], pulled, 'default', modelMatches)).toEqual(['gemma2:9b']);
    expect(preferRequested(['gemma2:9b'], pulled, 'gpt-oss:120b', modelMatches)).toEqual(['gemma2:9b']);
  });
});
