import { describe, expect, it } from 'vitest';
import { cloudModelName } from './cloud-model-name.js';

describe('cloudModelName', () => {
  it.each([
    ['gpt-oss:120b-cloud', 'gpt-oss:120b'],
    ['glm-5:cloud', 'glm-5'],
    ['gpt-oss:120b', 'gpt-oss:120b'],
    ['qwen3-coder:480b-cloud', 'qwen3-coder:480b'],
    ['deepseek-v3.1:671b-cloud', 'deepseek-v3.1:671b'],
    ['llama3.2', 'llama3.2'],
    ['my-cloud', 'my-cloud'],
    ['model:-cloud', 'model:-cloud'],
    ['registry.example:5000/team/model', 'registry.example:5000/team/model'],
    ['registry.example:5000/team/model:cloud', 'registry.example:5000/team/model'],
  ])('%s -> %s', (input, expected) => {
    expect(cloudModelName(input)).toBe(expected);
  });
});
