import type { IncomingHttpHeaders } from 'node:http';
import type { LlmConfig } from '@graphiti/llm-config';
import type { AttemptContext } from './attempt.js';
import type { CloudModels } from './cloud-models.js';
import type { CooldownTracker } from './cooldown.js';
import type { Emit } from './events.js';
import type { Scrub } from './secrets.js';
import type { Transport } from './transport.js';
import type {
  FailedRequestSink,
  LocalModelSource,
  Logger,
  Operation,
  ProviderName,
  QuotaRecorder,
} from './types.js';

/** One routed call, as the parts of the router see it. */
export interface Job {
  readonly operation: Operation;
  readonly request: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  readonly signal: AbortSignal | undefined;
  readonly idempotencyKey: string | undefined;
  readonly callId: string | undefined;
  /** Whether an availability failure queues the request (false for replays). */
  readonly queue: boolean;
}

/** What the parts of the router share; built once by `createRouter`. */
export interface RouterContext {
  readonly config: LlmConfig;
  readonly now: () => number;
  readonly scrub: Scrub;
  readonly emit: Emit;
  readonly logger: Logger | undefined;
  /** Undefined when no API key is set: the cloud is skipped. */
  readonly cloud: Transport | undefined;
  readonly local: Transport;
  readonly cloudModels: CloudModels | undefined;
  readonly cooldown: CooldownTracker;
  readonly localModels: LocalModelSource;
  readonly failedRequests: FailedRequestSink | undefined;
  readonly quota: QuotaRecorder | undefined;
  /** A usage window's reset time (epoch ms) from the cloud's usage endpoints, when known. */
  readonly usageResetAt: ((window: string | undefined) => number | undefined) | undefined;
  readonly maxAttempts: number;
  readonly delayMs: number;
  /** `retry.timeout_seconds` in ms, when it binds (shorter than the cloud read timeout). */
  readonly cloudCapMs: number | undefined;
  /** Cloud requests in flight (for `cloud.max_concurrency`). */
  readonly inflight: { cloud: number };
  /** Warnings given once per process (`cloud_model_not_found`, the wrong key). */
  readonly warned: Set<string>;
  attemptContext(provider: ProviderName, model: string): AttemptContext;
}

/** Warns once per key. */
export function warnOnce(
  context: RouterContext,
  key: string,
  fields: Record<string, unknown>,
  message: string,
): void {
  if (context.warned.has(key)) return;
  context.warned.add(key);
  context.logger?.warn(fields, message);
}

/** Headers as a plain record with secret values scrubbed (what the quota tracker gets). */
function plainHeaders(headers: IncomingHttpHeaders, scrub: Scrub): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = scrub(Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

/** Feeds the quota tracker without awaiting it: its errors are logged, never reach the request. */
export function recordQuota(
  context: RouterContext,
  headers: IncomingHttpHeaders,
  info: { status: number; body?: string },
): void {
  const { quota } = context;
  if (quota === undefined) return;
  try {
    Promise.resolve(quota.update(plainHeaders(headers, context.scrub), info)).catch((error: unknown) =>
      quotaFailed(context, error),
    );
  } catch (error) {
    quotaFailed(context, error);
  }
}

/** Feeds token counts of a cloud answer to the quota tracker, not awaited. */
export function recordTokens(context: RouterContext, answer: Readonly<Record<string, unknown>>): void {
  const { quota } = context;
  if (quota === undefined) return;
  try {
    Promise.resolve(
      quota.addTokens({
        promptTokens: typeof answer.prompt_eval_count === 'number' ? answer.prompt_eval_count : undefined,
        completionTokens: typeof answer.eval_count === 'number' ? answer.eval_count : undefined,
      }),
    ).catch((error: unknown) => quotaFailed(context, error));
  } catch (error) {
    quotaFailed(context, error);
  }
}

function quotaFailed(context: RouterContext, error: unknown): void {
  context.logger?.warn(
    { event: 'llm_quota_error', error: context.scrub(String(error)) },
    'The quota tracker failed.',
  );
}
