import {
  createReadyzHandler,
  healthzHandler,
  metricsHandler,
  queueItemHandler,
  queueListHandler,
  queueRetryHandler,
  quotaHandler,
} from './admin-api.js';
import { compatRoutes } from './compat/compat-routes.js';
import type { Handler } from './exchange.js';
import { sendText } from './http-utils.js';
import {
  copyHandler,
  createHandler,
  deleteHandler,
  localPassthroughHandler,
  pullHandler,
  pushHandler,
} from './model-management-api.js';
import {
  chatHandler,
  embedHandler,
  generateHandler,
  legacyEmbeddingsHandler,
  psHandler,
  showHandler,
  tagsHandler,
  versionHandler,
} from './ollama-api.js';
import {
  chatCompletionsHandler,
  embeddingsHandler,
  modelDetailHandler,
  modelsHandler,
} from './openai-api.js';
import type { Route } from './route-table.js';

const root: Handler = async (exchange) => {
  sendText(exchange.response, 200, exchange.request.method === 'HEAD' ? '' : 'Ollama is running');
};

const modelDetail: Handler = (exchange, context) =>
  modelDetailHandler(exchange.params?.model ?? '')(exchange, context);

const queueItem: Handler = (exchange, context) =>
  queueItemHandler(exchange, context, exchange.params?.id ?? '');

/**
 * Every route the gateway serves: Ollama's native API, the OpenAI-compatible routes of `openai-api.ts`, the
 * admin endpoints, and (last) any other `/api/*` path, which goes to the local server unchanged.
 */
export function gatewayRoutes(): Route[] {
  const readyz = createReadyzHandler();
  const ollama = (path: string, methods: Record<string, Handler>): Route => ({
    path,
    methods,
    family: 'ollama',
  });
  const openai = (path: string, methods: Record<string, Handler>): Route => ({
    path,
    methods,
    family: 'openai',
  });
  const admin = (path: string, methods: Record<string, Handler>): Route => ({
    path,
    methods,
    family: 'admin',
  });
  return [
    ollama('/', { GET: root, HEAD: root }),
    ollama('/api/chat', { POST: chatHandler }),
    ollama('/api/generate', { POST: generateHandler }),
    ollama('/api/embed', { POST: embedHandler }),
    ollama('/api/embeddings', { POST: legacyEmbeddingsHandler }),
    ollama('/api/tags', { GET: tagsHandler, HEAD: tagsHandler }),
    ollama('/api/version', { GET: versionHandler, HEAD: versionHandler }),
    ollama('/api/ps', { GET: psHandler }),
    ollama('/api/show', { POST: showHandler }),
    ollama('/api/pull', { POST: pullHandler }),
    ollama('/api/push', { POST: pushHandler }),
    ollama('/api/create', { POST: createHandler }),
    ollama('/api/copy', { POST: copyHandler }),
    ollama('/api/delete', { DELETE: deleteHandler }),
    ollama('/api/blobs/:digest', { HEAD: localPassthroughHandler, POST: localPassthroughHandler }),
    openai('/v1/chat/completions', { POST: chatCompletionsHandler }),
    openai('/v1/embeddings', { POST: embeddingsHandler }),
    openai('/v1/models', { GET: modelsHandler }),
    openai('/v1/models/:model*', { GET: modelDetail }),
    ...compatRoutes.map(([path, methods]) => openai(path, methods)),
    admin('/healthz', { GET: healthzHandler, HEAD: healthzHandler }),
    admin('/readyz', { GET: readyz, HEAD: readyz }),
    admin('/metrics', { GET: metricsHandler }),
    admin('/graphiti/quota', { GET: quotaHandler }),
    admin('/graphiti/queue', { GET: queueListHandler }),
    admin('/graphiti/queue/retry', { POST: queueRetryHandler }),
    admin('/graphiti/queue/:id', { GET: queueItem }),
    ollama('/api/*', {
      GET: localPassthroughHandler,
      HEAD: localPassthroughHandler,
      POST: localPassthroughHandler,
      PUT: localPassthroughHandler,
      PATCH: localPassthroughHandler,
      DELETE: localPassthroughHandler,
    }),
  ];
}
