import { describe, expect, it } from 'vitest';
import { graphiti, sandbox, useFakes } from './__fixtures__/harness.js';

const world = useFakes();

describe('graphiti chat', () => {
  it('prints the cloud answer on stdout and who served it on stderr', async () => {
    const run = await graphiti(['chat', 'What is a graph?'], { env: world.box.env });
    expect(run.code).toBe(0);
    const expected = world.cloud.expectedText({
      model: 'gpt-oss:120b',
      messages: [{ role: 'user', content: 'What is a graph?' }],
    });
    expect(run.stdout).toBe(`${expected}\n`);
    expect(run.stderr).toContain('served by cloud (gpt-oss:120b)');
    expect(world.local.requests.filter((request) => request.path === '/api/chat')).toHaveLength(0);
  });

  it('reads the prompt from stdin and sends --system and --model', async () => {
    const run = await graphiti(['chat', '--no-stream', '--model', 'gpt-oss:120b', '--system', 'Be brief.'], {
      env: world.box.env,
      input: 'from stdin\n',
    });
    expect(run.code).toBe(0);
    const sent = world.cloud.requests.find((request) => request.path === '/api/chat')?.body as {
      messages: { role: string; content: string }[];
      stream: boolean;
    };
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'from stdin' },
    ]);
    expect(sent.stream).toBe(false);
    expect(run.stdout).toBe(
      `${world.cloud.expectedText({ model: 'gpt-oss:120b', messages: sent.messages })}\n`,
    );
  });

  it('prints the whole answer as JSON with --json, with provider and model', async () => {
    const run = await graphiti(['chat', '--json', 'hello'], { env: world.box.env });
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ provider: 'cloud', model: 'gpt-oss:120b', done: true });
    expect(answer.message.content).toBe(
      world.cloud.expectedText({ model: 'gpt-oss:120b', messages: [{ role: 'user', content: 'hello' }] }),
    );
  });

  it('prints one JSON chunk per line with --json --stream', async () => {
    const run = await graphiti(['chat', '--json', '--stream', 'hello'], { env: world.box.env });
    expect(run.code).toBe(0);
    const chunks = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)).toMatchObject({ done: true, provider: 'cloud' });
    expect(chunks.map((chunk) => chunk.message.content).join('')).toBe(
      world.cloud.expectedText({ model: 'gpt-oss:120b', messages: [{ role: 'user', content: 'hello' }] }),
    );
  });

  it('fails over to local after a 503 burst and logs llm_failover when LOG_LEVEL asks for it', async () => {
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const run = await graphiti(['chat', 'hi'], { env: { ...world.box.env, LOG_LEVEL: 'warn' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('served by local (gemma2:9b)');
    const events = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'llm_failover',
        from_provider: 'cloud',
        to_provider: 'local',
        reason: 'transient',
        error_code: 503,
        attempts: 2, // retry.max_attempts in the sandbox config
      }),
    );
    expect(world.cloud.requests.filter((request) => request.path === '/api/chat').length).toBeGreaterThan(0);
  });

  it('stays silent on stderr apart from the served line (naming the fallback) when LOG_LEVEL is unset', async () => {
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const run = await graphiti(['chat', 'hi'], { env: world.box.env });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('served by local (gemma2:9b) because cloud failed: 503 server error\n');
  });

  it('exits 1 with the upstream message for an invalid request, and does not queue it', async () => {
    const message = 'invalid format: expected "json" or a JSON schema';
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 400, message });
    world.local.fault({ path: '/api/chat', kind: 'status', status: 400, message });
    const run = await graphiti(['chat', 'hi'], { env: world.box.env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('queued');
    const json = await graphiti(['chat', '--json', 'hi'], { env: world.box.env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'LLM_BAD_REQUEST', status: 400 });
    const list = await graphiti(['queue', 'list', '--json'], { env: world.box.env });
    expect(JSON.parse(list.stdout).items).toEqual([]);
  });

  it('exits 1 and says the answer is incomplete when the stream stalls after its first chunk', async () => {
    // a stall (not an error line) so that the first chunk surely reached the CLI before the failure
    const stalling = sandbox(
      { cloud: world.cloud.url, local: world.local.url },
      { extraToml: '[timeouts.cloud]\nconnect = 0.3\nread = 0.3' },
    );
    try {
      world.cloud.fault({ path: '/api/chat', kind: 'stall', afterChunks: 1 });
      const run = await graphiti(['chat', 'hi'], { env: stalling.env });
      expect(run.code).toBe(1);
      expect(run.stdout.length).toBeGreaterThan(0); // the part received was shown
      expect(run.stderr).toContain('the answer is incomplete');
      expect(run.stderr).not.toContain('served by');
      const json = await graphiti(['chat', '--json', '--stream', 'hi'], { env: stalling.env });
      expect(json.code).toBe(1);
      const last = JSON.parse(json.stdout.trim().split('\n').at(-1) as string);
      expect(last.error).toMatchObject({
        code: 'STREAM_INTERRUPTED',
        provider: 'cloud',
        model: 'gpt-oss:120b',
      });
    } finally {
      stalling.remove();
    }
  });

  it('reads the configuration named by --config', async () => {
    const run = await graphiti(['--config', world.box.configFile, 'chat', 'hi'], {
      env: { HOME: world.box.home, OLLAMA_API_KEY: world.box.env.OLLAMA_API_KEY as string },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('served by cloud (gpt-oss:120b)');
  });

  it('exits 2 without a prompt', async () => {
    const run = await graphiti(['chat'], { env: world.box.env, input: '  \n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No prompt');
    expect(world.cloud.requests).toHaveLength(0);
  });
});

describe('graphiti generate', () => {
  it('prints the completion and who served it', async () => {
    const run = await graphiti(['generate', '--no-stream', 'Once', 'upon'], { env: world.box.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${world.cloud.expectedText({ model: 'gpt-oss:120b', prompt: 'Once upon' })}\n`);
    expect(run.stderr).toContain('served by cloud (gpt-oss:120b)');
  });
});

describe('graphiti embed', () => {
  it('prints one vector per text from the embeddings model, falling over from a cloud without it', async () => {
    const run = await graphiti(['embed', 'alpha', 'beta'], { env: world.box.env });
    expect(run.code).toBe(0);
    const vectors = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(vectors).toEqual([
      world.local.expectedEmbedding('nomic-embed-text', 'alpha'),
      world.local.expectedEmbedding('nomic-embed-text', 'beta'),
    ]);
    expect(run.stderr).toContain('served by local (nomic-embed-text');
    expect(run.stderr).toContain('2 vectors of 768 dimensions');
  });

  it('prints the whole answer with --json', async () => {
    const run = await graphiti(['embed', '--json', '--dimensions', '8', 'alpha'], { env: world.box.env });
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ provider: 'local' });
    expect(answer.embeddings).toEqual([world.local.expectedEmbedding('nomic-embed-text', 'alpha', 8)]);
  });

  it('exits 2 on a bad --dimensions', async () => {
    const run = await graphiti(['embed', '--dimensions', 'many', 'alpha'], { env: world.box.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('positive integer');
  });
});
