import { modelMatches } from '@graphiti/llm-health';
import { AttemptFailed, runAttempt } from './attempt.js';
import { LLMRequestError, LLMUnavailableError } from './errors.js';
import { modelNotFound } from './give-up.js';
import { parseModelRef } from './model-names.js';
import { type RouterContext, recordQuota } from './router-context.js';
import type { AttemptFailure, CallOptions, LocalModel, ProviderName } from './types.js';

/** What `router.show()` answers: who answered and the upstream's `/api/show` body, unchanged. */
export interface ShowResult {
  readonly provider: ProviderName;
  readonly model: string;
  readonly body: Record<string, unknown>;
}

/**
 * `/api/show` through the router: the local server when it has the model, else the cloud when it serves
 * it and is not cooling down (the key is sent by the router's transport only). An upstream 4xx throws
 * `LLMRequestError` with its status and text; a model on neither side is a 404.
 */
export async function show(
  context: RouterContext,
  body: Record<string, unknown>,
  options: CallOptions = {},
): Promise<ShowResult> {
  const named =
    typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : undefined;
  if (named === undefined || named.trim() === '') {
    throw new LLMRequestError('model is required', {
      status: 400,
      failures: [],
      upstreamMessage: 'model is required',
    });
  }
  const ref = parseModelRef(named);
  const failures: AttemptFailure[] = [];
  const ask = async (provider: ProviderName, model: string): Promise<ShowResult> => {
    const transport = provider === 'cloud' ? context.cloud : context.local;
    if (transport === undefined) throw new Error('no transport');
    const { model: _model, name: _name, ...rest } = body;
    try {
      const result = await runAttempt(
        transport,
        {
          path: '/api/show',
          json: JSON.stringify({ ...rest, model }),
          stream: false,
          signal: options.signal,
        },
        context.attemptContext(provider, model),
      );
      if (result.kind !== 'answer') throw new Error('unexpected stream');
      if (provider === 'cloud') recordQuota(context, result.headers, { status: 200 });
      return { provider, model, body: result.value };
    } catch (error) {
      if (!(error instanceof AttemptFailed)) throw error;
      const { classification, upstream } = error;
      if (provider === 'cloud' && upstream !== undefined) {
        recordQuota(context, upstream.headers, { status: upstream.status, body: upstream.body });
      }
      const failure: AttemptFailure = {
        provider,
        model,
        reason: classification.reason,
        code: classification.code,
        message: classification.message,
        attempts: 1,
      };
      failures.push(failure);
      if (
        upstream !== undefined &&
        upstream.status >= 400 &&
        upstream.status < 500 &&
        upstream.status !== 429
      ) {
        const upstreamMessage = upstream.upstreamMessage ?? classification.message;
        throw new LLMRequestError(upstreamMessage, { status: upstream.status, failures, upstreamMessage });
      }
      throw error;
    }
  };
  let pulled: LocalModel[] | undefined;
  if (ref.force !== 'cloud') {
    pulled = await context.localModels.list().catch(() => undefined);
    const local = pulled?.find((model) => modelMatches(ref.name, model.name));
    if (local !== undefined) {
      try {
        return await ask('local', local.name);
      } catch (error) {
        if (!(error instanceof AttemptFailed)) throw error;
      }
    }
  }
  if (context.cloud !== undefined && ref.force !== 'local') {
    if (context.cloudModels !== undefined && !context.cloudModels.loaded) await context.cloudModels.ready();
    const serves = context.cloudModels?.serves(ref.name);
    const cooling = context.cooldown.cloud() ?? context.cooldown.model(ref.name);
    if (serves !== false && cooling === undefined) {
      try {
        return await ask('cloud', ref.name);
      } catch (error) {
        if (!(error instanceof AttemptFailed)) throw error;
      }
    }
  }
  if (failures.length === 0 && pulled !== undefined) throw modelNotFound(named.trim(), failures);
  throw new LLMUnavailableError(
    `No provider could answer /api/show for ${named.trim()}${failures.length === 0 ? ' (the local server is unreachable)' : `: ${failures.map((failure) => `${failure.provider} ${failure.code} ${failure.message}`).join('; ')}`}`,
    { queued: false, failures },
  );
}
