// Example 3: the durable queue behind the gateway, with `Prefer: respond-async` (ARCHITECTURE, "HTTP gateway"):
// the gateway answers 202 Accepted at once with `Location: /graphiti/queue/<id>`, keeps the request in its
// queue (SQLite or PostgreSQL) and answers it in the background; the client polls the location for the result.
// `Idempotency-Key` makes a resubmission return the same id. Run after a build:
//   node examples/dist/async-submit.js
import { isMain } from './fakes.js';

/** The outcome of one asynchronous submission. */
export interface AsyncResult {
  /** The submission's HTTP status: 202 when the gateway supports respond-async. */
  readonly status: number;
  readonly location?: string;
  readonly id?: string;
  /** The queue item once it reached `done` (or the last one seen). */
  readonly item?: { status: string; result?: { message?: { content?: string } } };
}

/** Submits a chat request asynchronously and polls its queue item until it is done (or `timeoutMs` passes). */
export async function submitAsync(
  base: string,
  token: string,
  options: { idempotencyKey?: string; timeoutMs?: number } = {},
): Promise<AsyncResult> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    prefer: 'respond-async',
  };
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  const submitted = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: 'gpt-oss:120b',
      messages: [{ role: 'user', content: 'Summarise my notes.' }],
    }),
  });
  await submitted.body?.cancel();
  const location = submitted.headers.get('location') ?? undefined;
  if (submitted.status !== 202 || location === undefined) return { status: submitted.status };
  const id = location.split('/').at(-1);
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let item: AsyncResult['item'];
  while (Date.now() < deadline) {
    const polled = await fetch(new URL(location, base), { headers: { authorization: `Bearer ${token}` } });
    const body = (await polled.json()) as Record<string, unknown>;
    item = (body.item ?? body) as AsyncResult['item'];
    if (item?.status === 'done' || item?.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    status: submitted.status,
    location,
    ...(id === undefined ? {} : { id }),
    ...(item ? { item } : {}),
  };
}

if (isMain(import.meta.url)) {
  const [{ loadConfig }, { startGateway }, { pino }, { startFakeWorld }] = await Promise.all([
    import('@graphiti/llm-config'),
    import('@graphiti/server'),
    import('pino'),
    import('./fakes.js'),
  ]);
  const world = await startFakeWorld('[server]\nauth_token = "example-gateway-token"\n');
  const gateway = await startGateway({
    config: loadConfig({ env: world.env }),
    logger: pino({ level: 'warn' }),
    port: 0,
  });
  try {
    console.log(JSON.stringify(await submitAsync(gateway.url, 'example-gateway-token'), null, 2));
  } finally {
    await gateway.close();
    await world.close();
  }
}
