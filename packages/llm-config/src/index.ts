export type { LlmConfig, TimeoutConfig } from './types.js';
