export { openRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
