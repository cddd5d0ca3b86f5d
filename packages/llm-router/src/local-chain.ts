import { fallbackChain, modelMatches } from '@graphiti/llm-health';
import { classifyError } from './classify.js';
import { isUnload } from './request-body.js';
import type { Job, RouterContext } from './router-context.js';
import type { AttemptFailure, LocalModel } from './types.js';

/** The local models to try, in order, or why there are none. */
export type LocalCandidates =
  | { readonly models: readonly string[] }
  | { readonly failure: AttemptFailure }
  | { readonly notFound: string };

/** What the local side may answer with. */
export interface LocalWanted {
  /** The model the caller named (suffix stripped), undefined for none / `default`. */
  readonly model: string | undefined;
  /** Whether the fallback chain may answer instead (availability failures, or no model named). */
  readonly substitute: boolean;
}

/**
 * The local candidates (routing rule 3): the named model first when it is pulled, then, when a substitute
 * is allowed, the fallback chain filtered to pulled models. Embeddings and unloads use the named model only.
 * A named model that is not pulled, with no substitute allowed, is `notFound` (a 404, as Ollama answers).
 */
export async function localCandidates(
  context: RouterContext,
  job: Job,
  wanted: LocalWanted,
): Promise<LocalCandidates> {
  const { config } = context;
  if (job.operation === 'embed') return { models: [wanted.model ?? config.embeddings.model] };
  if (isUnload(job) && wanted.model !== undefined) return { models: [wanted.model] };
  let pulled: LocalModel[];
  try {
    pulled = await context.localModels.list();
  } catch (error) {
    const classification = classifyError((error as { cause?: unknown }).cause ?? error, false);
    return {
      failure: {
        provider: 'local',
        model: wanted.model ?? config.local.models[0] ?? 'default',
        reason: 'connection',
        code:
          typeof classification.code === 'string' && classification.code !== 'UNKNOWN'
            ? classification.code
            : 'LOCAL_DOWN',
        message: context.scrub(error instanceof Error ? error.message : String(error)),
        attempts: 1,
      },
    };
  }
  const named =
    wanted.model === undefined
      ? undefined
      : pulled.find((model) => modelMatches(wanted.model as string, model.name));
  if (!wanted.substitute) {
    return named === undefined ? { notFound: wanted.model ?? 'default' } : { models: [named.name] };
  }
  const { chain, dropped, warning } = fallbackChain(config.local.models, pulled);
  if (dropped.length > 0 && warning !== undefined) {
    const key = `local_models_missing:${dropped.join('\n')}`;
    if (!context.warned.has(key)) {
      context.warned.add(key);
      context.logger?.warn({ event: 'local_models_missing', missing: dropped }, warning);
    }
  }
  const models =
    named === undefined ? [...chain] : [named.name, ...chain.filter((name) => name !== named.name)];
  if (models.length > 0) return { models };
  const wantedNames = config.local.models.length > 0 ? config.local.models : ['llama3.2:3b'];
  const pullHint = wantedNames.map((name) => `ollama pull ${name}`).join(' && ');
  return {
    failure: {
      provider: 'local',
      model: wanted.model ?? wantedNames[0] ?? 'default',
      reason: 'not_found',
      code: 'NO_LOCAL_MODELS',
      message:
        pulled.length === 0
          ? `The local Ollama server has no models pulled. Run: ${pullHint}`
          : `None of local.models (${config.local.models.join(', ')}) is pulled (pulled: ${pulled.map((model) => model.name).join(', ')}). Run: ${pullHint}`,
      attempts: 0,
    },
  };
}
