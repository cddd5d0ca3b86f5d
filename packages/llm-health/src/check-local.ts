import { startLocalOllama } from './auto-start.js';
import { describeFailure, type HttpOutcome, httpGet, isValidEndpoint, normalizeEndpoint } from './http.js';
import { DEFAULT_LOCAL_TIMEOUTS, errorSuffix, parseTags } from './list-models.js';
import { modelMatches, pullCommand } from './model-names.js';
import type { PulledModel, Timeouts } from './types.js';

/** Options of {@link checkLocal}. */
export interface CheckLocalOptions {
  /** The local Ollama server, e.g. `http://localhost:11434` (`local.endpoint`). */
  readonly endpoint: string;
  /** Models that should be pulled (usually `local.models` plus `embeddings.model`). @default [] */
  readonly requiredModels?: readonly string[];
  /** Connect and read timeouts in seconds. @default { connect: 2, read: 10 } */
  readonly timeouts?: Timeouts;
  /** Spawn `ollama serve` when the server is down (`local.auto_start`). @default false */
  readonly autoStart?: boolean;
  /** How long to wait for an auto-started server, in seconds. @default 15 */
  readonly autoStartWaitSeconds?: number;
  /** The executable auto-start runs with `serve`; a bare name is looked up on the PATH. @default 'ollama' */
  readonly autoStartCommand?: string;
}

/** The local server's health, as a value (checkLocal never throws). */
export interface LocalHealth {
  /** `up`: running and every required model pulled; `degraded`: running but models missing (or the model list failed); `down`: not reachable. */
  readonly status: 'up' | 'degraded' | 'down';
  /** The endpoint checked, normalised (no trailing slash). */
  readonly endpoint: string;
  /** The server's version, from `/api/version`. */
  readonly version?: string;
  /** The pulled models, in the server's order. */
  readonly models: PulledModel[];
  /** Required models that are not pulled, as given. */
  readonly missing: string[];
  /** What is wrong and what to do, or a summary when all is well. */
  readonly message: string;
  /** `ollama serve` when the server is down. */
  readonly startCommand?: string;
  /** `ollama pull a && ollama pull b` for the missing models. */
  readonly pullCommand?: string;
  /** Whether this check auto-started the server. */
  readonly autoStarted?: boolean;
}

function versionOf(outcome: HttpOutcome): string | undefined {
  if (!outcome.ok || outcome.status !== 200) return undefined;
  const version = (outcome.json as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' ? version : '';
}

function downMessage(base: string, outcome: HttpOutcome, timeouts: Timeouts): string {
  if (!outcome.ok && outcome.kind === 'refused') {
    return `Ollama is not running at ${base}. Start it with: ollama serve`;
  }
  if (!outcome.ok) {
    return `Ollama is not running at ${base} (${describeFailure(outcome, timeouts)}). Start it with: ollama serve`;
  }
  if (outcome.status === 403) {
    return `Ollama at ${base} refused the request (HTTP 403): its host check rejected the Host header, or another service answers on this port.`;
  }
  return `Something at ${base} answered HTTP ${outcome.status} to GET /api/version${errorSuffix(outcome.json, outcome.text)}; it does not look like a working Ollama server.`;
}

/**
 * Checks the local Ollama server: is it up (`/api/version`), which models are pulled (`/api/tags`, with
 * parameter counts and quantisation), and which required models are missing. Never throws.
 *
 * @example
 * ```ts
 * const health = await checkLocal({ endpoint: 'http://localhost:11434', requiredModels: ['gemma2:9b'] });
 * if (health.status !== 'up') console.error(health.message);
 * // 'Missing models: gemma2:9b. Run: ollama pull gemma2:9b'
 * ```
 */
export async function checkLocal(options: CheckLocalOptions): Promise<LocalHealth> {
  const base = normalizeEndpoint(options.endpoint);
  const timeouts = options.timeouts ?? DEFAULT_LOCAL_TIMEOUTS;
  const required = options.requiredModels ?? [];
  if (!isValidEndpoint(base)) {
    return {
      status: 'down',
      endpoint: base,
      models: [],
      missing: [...required],
      message: `The local Ollama endpoint "${options.endpoint}" is not an http(s) URL. Set local.endpoint or OLLAMA_HOST, e.g. http://localhost:11434.`,
    };
  }

  let versionOutcome = await httpGet(`${base}/api/version`, timeouts);
  let version = versionOf(versionOutcome);
  let autoStarted = false;
  if (version === undefined && options.autoStart === true && !versionOutcome.ok) {
    const started = await startLocalOllama({
      endpoint: base,
      ...(options.autoStartCommand === undefined ? {} : { command: options.autoStartCommand }),
      ...(options.autoStartWaitSeconds === undefined ? {} : { waitSeconds: options.autoStartWaitSeconds }),
    });
    if (!started.ready) {
      return {
        status: 'down',
        endpoint: base,
        models: [],
        missing: [...required],
        message: started.message,
        startCommand: 'ollama serve',
      };
    }
    autoStarted = true;
    versionOutcome = await httpGet(`${base}/api/version`, timeouts);
    version = versionOf(versionOutcome) ?? started.version;
  }
  if (version === undefined) {
    return {
      status: 'down',
      endpoint: base,
      models: [],
      missing: [...required],
      message: downMessage(base, versionOutcome, timeouts),
      startCommand: 'ollama serve',
    };
  }

  const started = autoStarted ? { autoStarted: true } : {};
  const versionField = version === '' ? {} : { version };
  const tags = await httpGet(`${base}/api/tags`, timeouts);
  const models = tags.ok && tags.status === 200 ? parseTags(tags.json) : undefined;
  if (models === undefined) {
    const why = tags.ok
      ? `answered HTTP ${tags.status}${errorSuffix(tags.json, tags.text)}`
      : describeFailure(tags, timeouts);
    return {
      status: 'degraded',
      endpoint: base,
      ...versionField,
      models: [],
      missing: [...required],
      message: `Ollama is running at ${base}, but listing its models failed (GET /api/tags ${why}).`,
      ...started,
    };
  }

  const missing = required.filter((wanted) => !models.some((model) => modelMatches(wanted, model.name)));
  const uniqueMissing = [...new Set(missing)];
  if (uniqueMissing.length > 0) {
    const command = pullCommand(uniqueMissing);
    return {
      status: 'degraded',
      endpoint: base,
      ...versionField,
      models,
      missing: uniqueMissing,
      message: `Missing models: ${uniqueMissing.join(', ')}. Run: ${command}`,
      pullCommand: command,
      ...started,
    };
  }
  if (models.length === 0) {
    return {
      status: 'degraded',
      endpoint: base,
      ...versionField,
      models,
      missing: [],
      message: `Ollama is running at ${base} but has no models pulled. Pull one, e.g.: ollama pull llama3.2:3b`,
      ...started,
    };
  }
  const names = models.map((model) => model.name).join(', ');
  return {
    status: 'up',
    endpoint: base,
    ...versionField,
    models,
    missing: [],
    message: `Ollama${version === '' ? '' : ` ${version}`} is running at ${base} with ${models.length} model${models.length === 1 ? '' : 's'}: ${names}`,
    ...started,
  };
}
