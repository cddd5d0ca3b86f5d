import { DEFAULT_CORS_ORIGINS } from './cors-origins.js';
import { KEY_SPECS } from './spec.js';

const DEFAULT_CORS_TOML = `[${DEFAULT_CORS_ORIGINS.map((origin) => JSON.stringify(origin)).join(', ')}]`;

const DEFAULTS: Readonly<Record<string, string>> = {
  'cloud.provider': '"ollama"',
  'cloud.endpoint': '"https://ollama.com"',
  'cloud.default_model': '"gpt-oss:120b"',
  'cloud.max_concurrency': '0',
  'local.endpoint': '"http://localhost:11434"',
  'local.auto_start': 'false',
  'local.models': '["gemma2:9b", "llama3.2:3b"]',
  'embeddings.model': '"nomic-embed-text"',
  'retry.max_attempts': '3',
  'retry.delay_seconds': '10',
  'retry.timeout_seconds': '90',
  'timeouts.cloud.connect': '5',
  'timeouts.cloud.read': '90',
  'timeouts.cloud.write': '10',
  'timeouts.cloud.pool': '20',
  'timeouts.cloud.first_token': '30',
  'timeouts.local.connect': '2',
  'timeouts.local.read': '60',
  'timeouts.local.write': '10',
  'timeouts.local.pool': '5',
  'timeouts.local.first_token': '120',
  'cooldown.rate_limit_seconds': '600',
  'quota.warning_threshold': '0.8',
  'quota.daily_request_limit': '0',
  'quota.poll_seconds': '60',
  'queue.max_size': '1000',
  'queue.ttl_hours': '24',
  'queue.max_attempts': '5',
  'queue.retry_interval_seconds': '300',
  'queue.lease_seconds': '60',
  'storage.sqlite_synchronous': '"full"',
  'logging.level': '"info"',
  'logging.failover_events': 'true',
  'server.host': '"127.0.0.1"',
  'server.port': '11436',
  'server.cors_origins': DEFAULT_CORS_TOML,
};

/**
 * The annotated default `llm.toml` that `graphiti config init` writes: every key with its default and a one-line
 * comment (plus the overriding environment variable). Secrets, and `storage.url` (whose default follows
 * `GRAPHITI_HOME`), are commented-out examples. Loading it yields exactly {@link defaultConfig}.
 */
export function defaultConfigToml(): string {
  const lines = [
    '# graphiti-llm configuration (https://toml.io).',
    '# Precedence: explicit option > environment variable > this file > built-in default.',
    '# Unknown keys are errors. `~` expands to the home directory in storage.url.',
  ];
  let table = '';
  for (const spec of KEY_SPECS) {
    const parts = spec.path.split('.');
    const key = parts.pop()!;
    const section = parts.join('.');
    if (section !== table) {
      lines.push('', `[${section}]`);
      table = section;
    }
    const comment = `# ${spec.comment}${spec.env ? ` Env: ${spec.env}.` : ''}`;
    const value = DEFAULTS[spec.path];
    if (value === undefined) {
      lines.push(comment, `# ${key} = ${spec.example ?? '""'}`);
    } else {
      lines.push(comment, `${key} = ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
