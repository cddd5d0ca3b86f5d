export { GatewayError, type GatewayErrorCode } from './gateway-error.js';
export { createGatewayLogger, type GatewayLoggerOptions, humanLine } from './gateway-logger.js';
export {
  createGatewayMetrics,
  type GatewayMetrics,
  type RequestLabels,
  type ScrapeState,
} from './metrics.js';
export { GATEWAY_VERSION } from './ollama-api.js';
export { openRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
export { type Gateway, type GatewayOptions, startGateway } from './start-gateway.js';
