import { LLMRequestError, LLMUnavailableError } from './errors.js';
import { queueParams } from './request-body.js';
import type { Job, RouterContext } from './router-context.js';
import type { AttemptFailure } from './types.js';

/** "model 'x' not found", as Ollama answers a model it does not have (HTTP 404). */
export function modelNotFound(model: string, failures: readonly AttemptFailure[]): LLMRequestError {
  const message = `model '${model}' not found`;
  return new LLMRequestError(message, { status: 404, failures, upstreamMessage: message });
}

/**
 * Queue-and-raise (routing rule 5): when no provider could answer for availability reasons, the request
 * (operation and parameters, no secrets) goes to the FailedRequestSink and `LLMUnavailableError` carries
 * its id. A request a provider called invalid is never queued; a full queue says so.
 */
export async function giveUp(
  context: RouterContext,
  job: Job,
  failures: readonly AttemptFailure[],
): Promise<never> {
  const summary = failures
    .map((failure) => `${failure.provider} ${failure.model}: ${failure.code} ${failure.message}`)
    .join('; ');
  const callId = job.callId === undefined ? {} : { callId: job.callId };
  if (!job.queue) {
    throw new LLMUnavailableError(`No provider could answer (${summary}). Not queued again (replay).`, {
      queued: false,
      failures,
    });
  }
  if (context.failedRequests === undefined) {
    throw new LLMUnavailableError(
      `No provider could answer (${summary}). The request was not queued: no queue is configured.`,
      { queued: false, failures },
    );
  }
  const cooling = context.cooldown.cloud();
  let requestId: string;
  try {
    requestId = await context.failedRequests.put(job.operation, queueParams(job.request), {
      ...(job.idempotencyKey === undefined ? {} : { idempotencyKey: job.idempotencyKey }),
      lastError: context.scrub(summary).slice(0, 2000),
      // a replay never starts before the cooldown that stopped this request has ended
      ...(cooling === undefined ? {} : { notBefore: new Date(cooling.until) }),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'IDEMPOTENCY_CONFLICT') throw error;
    const full = code === 'QUEUE_FULL';
    const text = context.scrub(String(error));
    context.emit({
      type: 'not_queued',
      ...callId,
      operation: job.operation,
      error_code: full ? 'QUEUE_FULL' : 'QUEUE_ERROR',
      error: text,
    });
    throw new LLMUnavailableError(
      full
        ? `No provider could answer (${summary}). The request was NOT queued: the queue is full (queue.max_size); replay or purge it (graphiti retry-queue / graphiti queue purge).`
        : `No provider could answer (${summary}). The request was NOT queued: ${text}`,
      { queued: false, failures, cause: error },
    );
  }
  const last = failures[failures.length - 1];
  context.emit({
    type: 'queued',
    ...callId,
    requestId,
    operation: job.operation,
    model: typeof job.request.model === 'string' ? job.request.model : 'default',
    ...(last === undefined ? {} : { reason: last.reason, error_code: last.code }),
  });
  throw new LLMUnavailableError(
    `No provider could answer (${summary}). The request was queued as ${requestId}; it is replayed by graphiti retry-queue or the server's background replay.`,
    { requestId, queued: true, failures },
  );
}
