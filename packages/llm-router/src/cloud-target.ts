import { parseRetryAfter } from '@graphiti/llm-quota';
import { AttemptFailed, type AttemptResult, runAttempt } from './attempt.js';
import { usageWindow } from './classify.js';
import { isUnload, operationPath, requestJson } from './request-body.js';
import { type Job, type RouterContext, recordQuota, warnOnce } from './router-context.js';
import type { AttemptFailure, FailureReason } from './types.js';

/** Why the cloud was not asked at all, when it was skipped. */
export interface CloudSkip {
  /** `availability`: cooling down or at the concurrency cap (a substitute may answer); `policy`: not a cloud model. */
  readonly kind: 'availability' | 'policy';
  /** A failover to report (the concurrency cap), if any. */
  readonly failure?: AttemptFailure;
}

/** The cloud's side of a call: the model it would get, or why it is skipped. */
export type CloudPlan = { readonly model: string } | { readonly skip: CloudSkip };

/** Whether a request goes to the cloud (routing rule 1): key, model list, suffixes, cooldowns, cap. */
export async function planCloud(
  context: RouterContext,
  job: Job,
  target: {
    readonly cloudModel: string;
    readonly forced: 'local' | 'cloud' | undefined;
    readonly isDefault: boolean;
  },
): Promise<CloudPlan> {
  const { config } = context;
  if (context.cloud === undefined || target.forced === 'local' || isUnload(job)) {
    return { skip: { kind: 'policy' } };
  }
  const model = target.cloudModel;
  if (context.cloudModels !== undefined && target.forced !== 'cloud') {
    if (!context.cloudModels.loaded) await context.cloudModels.ready();
    const serves = context.cloudModels.serves(model);
    // embeddings never go to the cloud unless it lists the model
    if (serves === false || (serves === undefined && job.operation === 'embed')) {
      if (target.isDefault && serves === false && job.operation !== 'embed') {
        warnOnce(
          context,
          `cloud_model_not_found:${model}`,
          { event: 'cloud_model_not_found', model, provider: 'cloud' },
          `Ollama Cloud does not list cloud.default_model "${model}"; the local chain answers instead. Set cloud.default_model to a model the cloud lists.`,
        );
      }
      return { skip: { kind: 'policy' } };
    }
  }
  const cooling = context.cooldown.cloud() ?? context.cooldown.model(model);
  if (cooling !== undefined) {
    context.logger?.debug(
      {
        event: 'llm_cloud_skipped',
        model,
        until: new Date(cooling.until).toISOString(),
        reason: cooling.reason,
      },
      'Cloud is cooling down; using local.',
    );
    return { skip: { kind: 'availability' } };
  }
  const cap = config.cloud.max_concurrency ?? 0;
  if (cap > 0 && context.inflight.cloud >= cap) {
    return {
      skip: {
        kind: 'availability',
        failure: {
          provider: 'cloud',
          model,
          reason: 'concurrency',
          code: 'MAX_CONCURRENCY',
          message: `cloud.max_concurrency (${cap}) requests are in flight`,
          attempts: 0,
        },
      },
    };
  }
  return { model };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException('This operation was aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What the cloud did with a call. */
export type CloudOutcome =
  | { readonly result: AttemptResult; readonly attempts: number }
  | { readonly failure: AttemptFailure; readonly error: AttemptFailed };

/**
 * Asks the cloud: transient failures (connection, DNS, connect timeout, 5xx) are retried up to
 * `retry.max_attempts` with the fixed `retry.delay_seconds` between attempts; every other failure ends the
 * cloud's turn at once. (ts-retry-promise is not used: it waits the delay once more after the last failed
 * attempt, which would hold every failover by `retry.delay_seconds`, and its wait ignores the caller's signal.)
 * Every cloud response feeds the quota tracker, without being awaited.
 */
export async function tryCloud(context: RouterContext, model: string, job: Job): Promise<CloudOutcome> {
  const transport = context.cloud;
  if (transport === undefined) throw new Error('tryCloud without a cloud transport');
  const json = requestJson(job, model);
  const path = operationPath(job.operation);
  const attemptContext = context.attemptContext('cloud', model);
  for (let attempts = 1; ; attempts++) {
    if (job.signal?.aborted) throw job.signal.reason;
    context.inflight.cloud++;
    let counted = true;
    try {
      const result = await runAttempt(
        transport,
        { path, json, stream: job.stream, signal: job.signal, capMs: context.cloudCapMs },
        attemptContext,
      );
      recordQuota(context, result.headers, { status: 200 });
      // a stream holds its slot until it ends (the caller's release)
      if (result.kind === 'stream') counted = false;
      return { result, attempts };
    } catch (error) {
      if (!(error instanceof AttemptFailed)) throw error;
      const { classification } = error;
      if (error.upstream !== undefined) {
        recordQuota(context, error.upstream.headers, {
          status: error.upstream.status,
          body: error.upstream.body,
        });
      }
      context.emit({
        type: 'attempt',
        ...(job.callId === undefined ? {} : { callId: job.callId }),
        operation: job.operation,
        provider: 'cloud',
        model,
        outcome: classification.reason,
        status: classification.code,
        totalMs: error.totalMs,
      });
      if (!classification.retryable || attempts >= context.maxAttempts) {
        const failure: AttemptFailure = {
          provider: 'cloud',
          model,
          reason: classification.reason,
          code: classification.code,
          message: classification.message,
          attempts,
        };
        return { failure, error };
      }
    } finally {
      if (counted) context.inflight.cloud--;
    }
    await sleep(context.delayMs, job.signal);
  }
}

/** The side effects of a cloud failure (rule 2): the cloud or model cooldown, the wrong-key warning. */
export async function afterCloudFailure(
  context: RouterContext,
  failure: AttemptFailure,
  error: AttemptFailed,
): Promise<void> {
  const reason: FailureReason | 'bad_request' = failure.reason;
  const status = typeof failure.code === 'number' ? failure.code : 429;
  if (reason === 'rate_limit') {
    const window = usageWindow(failure.message);
    const now = context.now();
    const retryAfter = parseRetryAfter(error.upstream?.header('retry-after'), now);
    let resetAt: number | undefined;
    try {
      resetAt = context.usageResetAt?.(window);
    } catch {
      resetAt = undefined;
    }
    const untilReset = resetAt !== undefined && resetAt > now ? (resetAt - now) / 1000 : undefined;
    const longest = Math.max(retryAfter ?? 0, untilReset ?? 0);
    await context.cooldown.start({
      retryAfterSeconds: longest > 0 ? longest : undefined,
      reason: failure.message,
      status,
      window,
    });
  } else if (reason === 'model_unavailable') {
    await context.cooldown.coolModel(failure.model, { reason: failure.message, status });
  } else if (reason === 'auth') {
    warnOnce(
      context,
      'llm_cloud_auth_failed',
      {
        event: 'llm_cloud_auth_failed',
        provider: 'cloud',
        status: failure.code,
        message: `Ollama Cloud rejected the API key (HTTP ${failure.code}). Check cloud.api_key or OLLAMA_API_KEY; requests use the local server meanwhile.`,
      },
      'llm_cloud_auth_failed',
    );
  }
}
