import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OllamaFake } from '@graphiti/ollama-fake';
import type { Command } from 'commander';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** Runs `graphiti <args>` in this process against the demo's environment; returns what it printed. */
type Invoke = (args: readonly string[], note?: string) => Promise<{ code: number; output: string }>;

interface Step {
  readonly title: string;
  readonly story: string;
  readonly run: (invoke: Invoke, check: (ok: boolean, what: string) => void) => Promise<void>;
}

const EVENT_FIELDS_SKIPPED = new Set(['level', 'time', 'name', 'msg', 'event', 'pid', 'hostname']);

/** One pino JSON line as `⚡ event key=value …`, or undefined when the line is not an event. */
function formatEvent(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (typeof record.event !== 'string') return undefined;
    const fields = Object.entries(record)
      .filter(([key, value]) => !EVENT_FIELDS_SKIPPED.has(key) && value !== null && typeof value !== 'object')
      .map(([key, value]) => {
        const text = String(value).replace(/\s+/g, ' ');
        return `${key}=${text.length > 70 ? `${text.slice(0, 69)}…` : text}`;
      });
    return `event ${record.event}  ${fields.join(' ')}`;
  } catch {
    return undefined;
  }
}

function configToml(cloud: OllamaFake, local: OllamaFake, dir: string): string {
  return [
    '# written by `graphiti demo`; the API key comes from OLLAMA_API_KEY',
    '[cloud]',
    `endpoint = "${cloud.url}"`,
    'default_model = "gpt-oss:120b"',
    '',
    '[local]',
    `endpoint = "${local.url}"`,
    'models = ["gemma2:9b", "llama3.2:3b"]',
    '',
    '[embeddings]',
    'model = "nomic-embed-text"',
    '',
    '[retry]',
    'max_attempts = 3',
    'delay_seconds = 0.05 # 10 by default; short so the demo takes seconds',
    '',
    '[quota]',
    'daily_request_limit = 100 # counted locally: the fake cloud sends no rate-limit headers',
    '',
    '[cooldown]',
    'rate_limit_seconds = 600',
    '',
    '[storage]',
    `url = "sqlite:${join(dir, 'graphiti.db').replaceAll('\\', '/')}"`,
    '',
  ].join('\n');
}

function steps(cloud: OllamaFake, local: OllamaFake): Step[] {
  let queuedId: string | undefined;
  const cloudChats = (): number => cloud.requests.filter((request) => request.path === '/api/chat').length;
  const list: Step[] = [
    {
      title: 'The configuration',
      story:
        'Two fake Ollama servers run in this process: a "cloud" one that wants an API key (gpt-oss:120b) and a\n"local" one with gemma2:9b, llama3.2:3b and nomic-embed-text. The API key is set in OLLAMA_API_KEY and\nis never shown.',
      async run(invoke, check) {
        const { code, output } = await invoke(['config', 'show'], 'cloud, local, retry and storage keys');
        check(code === 0 && output.includes('[redacted]'), 'config show redacts the key');
      },
    },
    {
      title: 'Cloud first',
      story: 'With a key set and no cooldown, every request goes to Ollama Cloud first.',
      async run(invoke, check) {
        const { code, output } = await invoke(['chat', 'What is a knowledge graph?']);
        check(code === 0 && output.includes('served by cloud (gpt-oss:120b)'), 'the cloud answered');
      },
    },
    {
      title: 'A 503 burst: retried, then failed over to local',
      story:
        'The cloud now answers 503 three times. The router retries with a fixed delay (retry.delay_seconds),\nthen fails over to the first local model of the chain and says so with an llm_failover event.',
      async run(invoke, check) {
        cloud.fault({ path: '/api/chat', kind: 'status', status: 503, times: 3 });
        const before = cloudChats();
        const { code, output } = await invoke(['chat', 'Name three graph databases.']);
        const tries = cloudChats() - before;
        check(
          code === 0 && output.includes('served by local (gemma2:9b)') && output.includes('llm_failover'),
          'local answered after the failover',
        );
        check(tries === 3, `the cloud got ${tries} attempts (retry.max_attempts = 3)`);
      },
    },
    {
      title: 'A 429: the cooldown starts, and the next request skips the cloud',
      story:
        'Ollama Cloud answers 429 when a usage limit is reached ("hourly usage limit"). That is never retried:\nthe cooldown starts (persisted in the storage, shared by every process), the request fails over at once,\nand the next requests do not even try the cloud until the cooldown ends.',
      async run(invoke, check) {
        cloud.fault({ path: '/api/chat', kind: 'status', status: 429, times: 1 });
        const first = await invoke(['chat', 'Is this request rate-limited?']);
        check(
          first.code === 0 &&
            first.output.includes('reason=rate_limit') &&
            first.output.includes('served by local'),
          'a 429 failed over at once',
        );
        const before = cloudChats();
        const second = await invoke(
          ['chat', 'And this one?'],
          'the cloud is in its cooldown: not asked at all',
        );
        check(
          second.code === 0 && second.output.includes('served by local') && cloudChats() === before,
          'the next request skipped the cloud',
        );
      },
    },
    {
      title: 'Both down: the request is queued, not lost',
      story:
        'Both servers stop. Nothing can answer, so the request is stored in the durable queue and the caller\ngets an LLMUnavailableError carrying the request id (exit 1).',
      async run(invoke, check) {
        await Promise.all([cloud.stop(), local.stop()]);
        const { code, output } = await invoke(['chat', 'Summarise my notes on graph theory.']);
        queuedId = /Queued as (\S+?)\./.exec(output)?.[1];
        check(code === 1 && queuedId !== undefined, 'the request was queued with an id (exit 1)');
        const listed = await invoke(['queue', 'list']);
        check(queuedId !== undefined && listed.output.includes(queuedId), 'queue list shows it');
      },
    },
    {
      title: 'Local is back: retry-queue replays it, the result is readable by id',
      story:
        'The local server comes back. `graphiti retry-queue` replays the queue once; the answer is stored.',
      async run(invoke, check) {
        await local.start();
        const replay = await invoke(['retry-queue']);
        check(replay.code === 0 && replay.output.includes('1 done'), 'the replay answered the request');
        if (queuedId === undefined) return;
        const shown = await invoke(['queue', 'show', queuedId]);
        check(
          shown.code === 0 && shown.output.includes('status') && shown.output.includes('done'),
          'the result is stored',
        );
      },
    },
    {
      title: 'Health',
      story: 'The cloud server is back too, but the cooldown still holds; health says what serves now.',
      async run(invoke, check) {
        await cloud.start();
        const { code, output } = await invoke(['health']);
        check(code === 0 && output.includes('cooldown'), 'health reports both servers and the cooldown');
      },
    },
    {
      title: 'Quota',
      story: 'Usage as counted from the cloud answers, the cooldown with the limit it named, and the queue.',
      async run(invoke, check) {
        const { code, output } = await invoke(['quota']);
        check(code === 0 && output.includes('hourly'), 'quota shows the cooldown and its window');
      },
    },
  ];
  return list;
}

async function demo(io: CliIo): Promise<number> {
  // imported lazily: the demo is the only verb that needs the CLI's own entry point
  const [{ runCli }, { startOllamaFake }] = await Promise.all([
    import('../run-cli.js'),
    import('@graphiti/ollama-fake'),
  ]);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'graphiti-demo-'));
  const apiKey = `demo-key-${randomBytes(8).toString('hex')}`;
  let transcript = '';
  const out = (text: string): void => {
    transcript += text;
    io.stdout(text.split(apiKey).join('[redacted]'));
  };
  const cloud = await startOllamaFake({ models: ['gpt-oss:120b'], apiKey, chunks: 4 });
  const local = await startOllamaFake({
    models: ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'],
    chunks: 4,
  });
  const failures: string[] = [];
  try {
    const configFile = join(dir, 'llm.toml');
    writeFileSync(configFile, configToml(cloud, local, dir));
    const env: Record<string, string | undefined> = {
      HOME: dir,
      GRAPHITI_HOME: dir,
      GRAPHITI_LLM_CONFIG: configFile,
      OLLAMA_API_KEY: apiKey,
      LOG_LEVEL: 'warn',
      PATH: io.env.PATH,
    };
    const invoke: Invoke = async (args, note) => {
      out(`\n  $ graphiti ${args.map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg)).join(' ')}\n`);
      if (note !== undefined) out(`    (${note})\n`);
      let output = '';
      let pending = '';
      const emit = (line: string): void => {
        const event = formatEvent(line);
        out(event === undefined ? `  │ ${line}`.trimEnd() + '\n' : `  ⚡ ${event}\n`);
        output += `${event ?? line}\n`;
      };
      const write = (text: string): void => {
        pending += text;
        let newline = pending.indexOf('\n');
        while (newline !== -1) {
          emit(pending.slice(0, newline));
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      };
      const filter = args[0] === 'config' ? /^(#|cloud\.|local\.|retry\.|storage\.url)/ : undefined;
      const code = await runCli(args, {
        env,
        stdout: (text) => {
          if (filter === undefined) return write(text);
          for (const line of text.split('\n')) if (filter.test(line)) write(`${line}\n`);
        },
        stderr: write,
      });
      if (pending !== '') emit(pending);
      out(`    exit ${code}\n`);
      return { code, output };
    };
    out(
      'graphiti demo: the real CLI against two fake Ollama servers and a temporary SQLite database.\nNothing leaves this machine; no Ollama install is needed.\n',
    );
    const list = steps(cloud, local);
    let index = 0;
    for (const step of list) {
      index++;
      out(`\n[${index}/${list.length}] ${step.title}\n${step.story.replace(/^/gm, '    ')}\n`);
      await step.run(invoke, (ok, what) => {
        out(ok ? `  ✓ ${what}\n` : `  ✗ ${what}: NOT as expected\n`);
        if (!ok) failures.push(what);
      });
    }
  } finally {
    await Promise.all([cloud.close(), local.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const leaked = transcript.includes(apiKey);
  if (leaked) failures.push('the API key appeared in the output');
  out(
    `\n${leaked ? '✗ the API key appeared in the output above' : '✓ the API key appeared nowhere in the output above'}\n`,
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  out(
    failures.length === 0
      ? `\nDemo complete in ${seconds} s: every step behaved as described.\n`
      : `\nDemo finished in ${seconds} s with ${failures.length} unexpected result(s): ${failures.join('; ')}\n`,
  );
  return failures.length === 0 ? EXIT_OK : EXIT_FAILURE;
}

/** Registers `demo`. */
export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description(
      'show graphiti-llm at work on this machine: failover, cooldown, queue, replay, health, quota (a few seconds)',
    )
    .action(async () => setExit(await demo(io)));
}
