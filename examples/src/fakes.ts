import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import type { Gateway } from '@graphiti/server';

/** The API key the fake cloud accepts. Any text works: the fake plays ollama.com. */
export const FAKE_CLOUD_KEY = 'example-cloud-key';

/** Two fake Ollama servers and a configuration file pointing at them, in a temporary directory. */
export interface FakeWorld {
  readonly cloud: OllamaFake;
  readonly local: OllamaFake;
  /** The temporary directory: GRAPHITI_HOME, the SQLite database and `llm.toml` live here. */
  readonly home: string;
  readonly configFile: string;
  /** Environment for `loadConfig({ env })`: GRAPHITI_LLM_CONFIG, GRAPHITI_HOME, OLLAMA_API_KEY. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts a fake "cloud" (gpt-oss:120b, needs {@link FAKE_CLOUD_KEY}) and a fake "local" server (gemma2:9b,
 * llama3.2:3b, nomic-embed-text), and writes an `llm.toml` using them with a SQLite file and short retries.
 * Replace this with your real `~/.graphiti/llm.toml` to run an example against Ollama.
 */
export async function startFakeWorld(extraToml = ''): Promise<FakeWorld> {
  const [cloud, local] = await Promise.all([
    startOllamaFake({ models: ['gpt-oss:120b'], apiKey: FAKE_CLOUD_KEY }),
    startOllamaFake({ models: ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'] }),
  ]);
  const home = mkdtempSync(join(tmpdir(), 'graphiti-example-'));
  const configFile = join(home, 'llm.toml');
  writeFileSync(
    configFile,
    [
      '[cloud]',
      `endpoint = "${cloud.url}"`,
      '[local]',
      `endpoint = "${local.url}"`,
      '[retry]',
      'max_attempts = 2',
      'delay_seconds = 0.01',
      '[storage]',
      `url = "sqlite:${join(home, 'graphiti.db')}"`,
      extraToml,
      '',
    ].join('\n'),
  );
  return {
    cloud,
    local,
    home,
    configFile,
    env: { GRAPHITI_LLM_CONFIG: configFile, GRAPHITI_HOME: home, OLLAMA_API_KEY: FAKE_CLOUD_KEY },
    async close() {
      await Promise.all([cloud.close(), local.close()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A fake world with the gateway in front of it. */
export interface FakeGateway {
  readonly world: FakeWorld;
  readonly gateway: Gateway;
  /** Closes the gateway, then the fakes and the temporary directory. */
  close(): Promise<void>;
}

/**
 * Starts a {@link FakeWorld} and a gateway on a free port that serves it, with `token` as its
 * `server.auth_token` (the gateway and its logger are loaded only here, so the library example stays light).
 */
export async function startFakeGateway(token: string, logLevel = 'silent'): Promise<FakeGateway> {
  const [{ loadConfig }, { startGateway }, { pino }] = await Promise.all([
    import('@graphiti/llm-config'),
    import('@graphiti/server'),
    import('pino'),
  ]);
  const world = await startFakeWorld(`[server]\nauth_token = "${token}"\n`);
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      config: loadConfig({ env: world.env }),
      logger: pino({ level: logLevel }),
      port: 0,
    });
  } catch (error) {
    await world.close();
    throw error;
  }
  return {
    world,
    gateway,
    async close() {
      await gateway.close();
      await world.close();
    },
  };
}

/** True when this module is the program node was started with (`node dist/x.js`). */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && new URL(metaUrl).pathname === entry;
}
