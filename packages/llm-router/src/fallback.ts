import { performance } from 'node:perf_hooks';
import { cloudModelName } from '@graphiti/llm-config';
import { AttemptFailed, type AttemptResult, runAttempt } from './attempt.js';
import { afterCloudFailure, planCloud, tryCloud } from './cloud-target.js';
import { LLMRequestError } from './errors.js';
import { giveUp, modelNotFound } from './give-up.js';
import { makeRouterStream } from './guarded-stream.js';
import { localCandidates } from './local-chain.js';
import { isDefaultModel, parseModelRef, resolveCloudModel } from './model-names.js';
import { keepRawBody } from './raw-body.js';
import { operationPath, requestJson } from './request-body.js';
import { type Job, type RouterContext, recordTokens, warnOnce } from './router-context.js';
import type { AttemptFailure, FailureReason, ProviderName } from './types.js';

/** The names a call goes by on each side. */
interface Target {
  /** The model name as the caller gave it (trimmed), undefined for none / `default`. */
  readonly requested: string | undefined;
  readonly cloudModel: string;
  /** The local name the caller asked for (suffix stripped); undefined: the chain decides. */
  readonly localModel: string | undefined;
  readonly forced: 'local' | 'cloud' | undefined;
  /** No model, `default` or `cloud.default_model`: the local chain may always answer. */
  readonly isDefault: boolean;
}

function targetOf(context: RouterContext, job: Job): Target {
  const { config } = context;
  const raw = typeof job.request.model === 'string' ? job.request.model.trim() : undefined;
  const requested = isDefaultModel(raw) ? undefined : raw;
  const defaultModel = job.operation === 'embed' ? config.embeddings.model : config.cloud.default_model;
  if (requested === undefined) {
    return {
      requested,
      cloudModel: cloudModelName(defaultModel),
      localModel: job.operation === 'embed' ? config.embeddings.model : undefined,
      forced: undefined,
      isDefault: true,
    };
  }
  const ref = parseModelRef(requested);
  const isDefault =
    job.operation !== 'embed' && cloudModelName(requested) === resolveCloudModel(undefined, defaultModel);
  return {
    requested,
    cloudModel: ref.name,
    localModel: isDefault ? undefined : ref.force === 'cloud' ? requested : ref.name,
    forced: ref.force,
    isDefault,
  };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function failureOf(
  provider: ProviderName,
  model: string,
  error: AttemptFailed,
  attempts: number,
): AttemptFailure {
  const { reason, code, message } = error.classification;
  return { provider, model, reason, code, message, attempts };
}

/** A 400 (or other client error): returned with the provider's status and text, never substituted or queued. */
function requestError(
  failure: AttemptFailure,
  error: AttemptFailed,
  failures: readonly AttemptFailure[],
): LLMRequestError {
  const status = typeof failure.code === 'number' ? failure.code : 400;
  const upstreamMessage = error.upstream?.upstreamMessage ?? failure.message;
  return new LLMRequestError(
    `The request was rejected as invalid by ${failure.provider} ${failure.model} (HTTP ${status}): ${failure.message}`,
    { status, failures: [...failures, failure], upstreamMessage, cause: error },
  );
}

function emitFailover(
  context: RouterContext,
  job: Job,
  from: AttemptFailure,
  toModel: string | undefined,
): void {
  context.emit({
    type: 'failover',
    ...(job.callId === undefined ? {} : { callId: job.callId }),
    from_provider: from.provider,
    to_provider: 'local',
    reason: from.reason as FailureReason,
    error_code: from.code,
    model: from.model,
    ...(toModel === undefined ? {} : { to_model: toModel }),
    attempts: from.attempts,
    message: from.message,
  });
}

/** Hands a successful attempt to the caller: a tagged answer (raw text kept) or a guarded stream. */
function deliver(
  context: RouterContext,
  job: Job,
  provider: ProviderName,
  model: string,
  result: AttemptResult,
): unknown {
  const callId = job.callId === undefined ? {} : { callId: job.callId };
  const { operation } = job;
  if (result.kind === 'answer') {
    const answer = result.value as Record<string, unknown>;
    keepRawBody(answer, result.raw);
    answer.provider = provider;
    if (typeof answer.model !== 'string' || answer.model === '') answer.model = model;
    context.emit({
      type: 'attempt',
      ...callId,
      operation,
      provider,
      model,
      outcome: 'ok',
      status: 200,
      totalMs: result.totalMs,
    });
    context.emit({
      type: 'answered',
      ...callId,
      operation,
      provider,
      model,
      stream: false,
      upstreamTotalMs: result.totalMs,
    });
    if (provider === 'cloud') recordTokens(context, answer);
    return answer;
  }
  let released = false;
  const start = {
    ...result.start,
    release: () => {
      result.start.release();
      if (!released && provider === 'cloud') context.inflight.cloud--;
      released = true;
    },
  };
  const settle = (outcome: 'ok' | FailureReason | 'bad_request', status: number | string): void => {
    context.emit({
      type: 'attempt',
      ...callId,
      operation,
      provider,
      model,
      outcome,
      status,
      firstChunkMs: result.firstChunkMs,
      totalMs: performance.now() - result.startedAt,
    });
  };
  const stream = makeRouterStream(start, {
    provider,
    model,
    signal: job.signal,
    scrub: context.scrub,
    onDone(last) {
      settle('ok', 200);
      if (provider === 'cloud') recordTokens(context, last);
    },
    onInterrupted(classification, receivedChars) {
      settle(classification.reason, classification.code);
      context.logger?.warn(
        {
          event: 'llm_stream_interrupted',
          provider,
          model: stream.model,
          reason: classification.reason,
          error_code: classification.code,
          received_chars: receivedChars,
        },
        'llm_stream_interrupted',
      );
    },
  });
  context.emit({
    type: 'answered',
    ...callId,
    operation,
    provider,
    model: stream.model,
    stream: true,
    upstreamFirstChunkMs: result.firstChunkMs,
  });
  return stream;
}

/** What the cloud's turn left for the local side. */
type CloudTurn =
  | { readonly answer: unknown }
  | { readonly pending: AttemptFailure | undefined; readonly substitute: boolean };

/**
 * The cloud's turn: skipped (policy or availability), answered, or failed. A 400 throws; other failures
 * set their cooldown and say whether a local substitute may answer (availability failures: yes; a 404:
 * only for the default model).
 */
async function cloudTurn(
  context: RouterContext,
  job: Job,
  target: Target,
  failures: AttemptFailure[],
): Promise<CloudTurn> {
  const plan = await planCloud(context, job, target);
  if (!('model' in plan)) {
    const { skip } = plan;
    if (skip.failure !== undefined) failures.push(skip.failure);
    return { pending: skip.failure, substitute: target.isDefault || skip.kind === 'availability' };
  }
  const outcome = await tryCloud(context, plan.model, job);
  if ('result' in outcome) return { answer: deliver(context, job, 'cloud', plan.model, outcome.result) };
  const { failure, error } = outcome;
  if (failure.reason === 'bad_request') throw requestError(failure, error, failures);
  failures.push(failure);
  await afterCloudFailure(context, failure, error);
  if (job.signal?.aborted) throw abortReason(job.signal);
  if (failure.reason === 'not_found' && target.isDefault) {
    warnOnce(
      context,
      `cloud_model_not_found:${plan.model}`,
      { event: 'cloud_model_not_found', provider: 'cloud', model: plan.model },
      `Ollama Cloud does not know "${plan.model}" (404); the local chain answers instead.`,
    );
  }
  return { pending: failure, substitute: target.isDefault || failure.reason !== 'not_found' };
}

/** The local turn: each candidate once, in order; a 400 throws; an unreachable server ends the chain. */
async function localTurn(
  context: RouterContext,
  job: Job,
  models: readonly string[],
  pendingFailure: AttemptFailure | undefined,
  failures: AttemptFailure[],
): Promise<{ readonly answer: unknown } | undefined> {
  let pending = pendingFailure;
  const callId = job.callId === undefined ? {} : { callId: job.callId };
  for (const model of models) {
    if (pending !== undefined) emitFailover(context, job, pending, model);
    pending = undefined;
    try {
      const result = await runAttempt(
        context.local,
        {
          path: operationPath(job.operation),
          json: requestJson(job, model),
          stream: job.stream,
          signal: job.signal,
        },
        context.attemptContext('local', model),
      );
      return { answer: deliver(context, job, 'local', model, result) };
    } catch (error) {
      if (!(error instanceof AttemptFailed)) throw error;
      const failure = failureOf('local', model, error, 1);
      context.emit({
        type: 'attempt',
        ...callId,
        operation: job.operation,
        provider: 'local',
        model,
        outcome: failure.reason,
        status: failure.code,
        totalMs: error.totalMs,
      });
      if (failure.reason === 'bad_request') throw requestError(failure, error, failures);
      failures.push(failure);
      if (failure.reason === 'not_found' || failure.reason === 'connection') context.localModels.invalidate();
      // the server itself is unreachable: the next model would fail the same way
      if (failure.reason === 'connection') return undefined;
      pending = failure;
    }
  }
  return undefined;
}

/**
 * Routes one call (ARCHITECTURE "Routing rules"): the cloud when it serves the model and is not cooling
 * down (retried for transient failures), then the local side (the named model, then the fallback chain
 * when a substitute is allowed), then queue-and-raise. Emits `failover` before each move to local.
 */
export async function route(context: RouterContext, job: Job): Promise<unknown> {
  if (job.signal?.aborted) throw abortReason(job.signal);
  if (!context.cooldown.loaded) await context.cooldown.ready();
  const target = targetOf(context, job);
  const failures: AttemptFailure[] = [];
  const cloud = await cloudTurn(context, job, target, failures);
  if ('answer' in cloud) return cloud.answer;
  const substitute = cloud.substitute && job.operation !== 'embed';
  const candidates = await localCandidates(context, job, { model: target.localModel, substitute });
  if ('notFound' in candidates) throw modelNotFound(target.requested ?? candidates.notFound, failures);
  if ('failure' in candidates) {
    if (cloud.pending !== undefined) emitFailover(context, job, cloud.pending, undefined);
    failures.push(candidates.failure);
    return giveUp(context, job, failures);
  }
  const local = await localTurn(context, job, candidates.models, cloud.pending, failures);
  if (local !== undefined) return local.answer;
  const onlyNotFound = failures.length > 0 && failures.every((failure) => failure.reason === 'not_found');
  if (!substitute && onlyNotFound && target.requested !== undefined)
    throw modelNotFound(target.requested, failures);
  return giveUp(context, job, failures);
}
