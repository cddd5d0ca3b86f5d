// Example 2: the gateway behind the clients people use, driven here with the real `openai` and
// `@anthropic-ai/sdk` packages (what opencode, Codex and Claude Code speak) and Ollama's native API (what
// Open WebUI and the `ollama` CLI speak). The settings for each tool are in examples/README.md.
// Run: pnpm --filter @graphiti/examples build && node examples/dist/gateway-clients.js
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '@graphiti/llm-config';
import { startGateway } from '@graphiti/server';
import OpenAI from 'openai';
import { pino } from 'pino';
import { isMain, startFakeWorld } from './fakes.js';

/** The token clients send; the gateway checks it when `server.auth_token` is set. */
export const GATEWAY_TOKEN = 'example-gateway-token';

/** One client's exchange with the gateway. */
export interface ClientResult {
  readonly client: string;
  readonly route: string;
  readonly text?: string;
  readonly provider?: string | null;
}

/** Drives a running gateway at `base` (e.g. http://127.0.0.1:11436) with each client once. */
export async function driveGateway(base: string, model = 'gpt-oss:120b'): Promise<ClientResult[]> {
  const results: ClientResult[] = [];
  const question = 'Say hello to the knowledge graph.';

  // opencode, Droid and other agents: OpenAI Chat Completions at <gateway>/v1
  const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: GATEWAY_TOKEN });
  const { data, response } = await openai.chat.completions
    .create({ model, messages: [{ role: 'user', content: question }] })
    .withResponse();
  results.push({
    client: 'openai (chat completions)',
    route: '/v1/chat/completions',
    text: data.choices[0]?.message.content ?? '',
    provider: response.headers.get('x-graphiti-provider'),
  });

  // Codex CLI, Copilot CLI: OpenAI Responses at <gateway>/v1
  const answer = await openai.responses.create({ model, input: question });
  results.push({ client: 'openai (responses)', route: '/v1/responses', text: answer.output_text });

  // Claude Code: Anthropic Messages at <gateway> (ANTHROPIC_BASE_URL)
  const anthropic = new Anthropic({ baseURL: base, authToken: GATEWAY_TOKEN, apiKey: null });
  const message = await anthropic.messages.create({
    model,
    max_tokens: 256,
    messages: [{ role: 'user', content: question }],
  });
  const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  results.push({ client: '@anthropic-ai/sdk (messages)', route: '/v1/messages', text });

  // Open WebUI and the `ollama` CLI: the native API at <gateway> (OLLAMA_BASE_URL / OLLAMA_HOST)
  const tags = await fetch(`${base}/api/tags`, { headers: { authorization: `Bearer ${GATEWAY_TOKEN}` } });
  const names = ((await tags.json()) as { models: { name: string }[] }).models.map((m) => m.name);
  const chat = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: false, messages: [{ role: 'user', content: question }] }),
  });
  const body = (await chat.json()) as { message: { content: string } };
  results.push({
    client: `ollama API (models: ${names.join(', ')})`,
    route: '/api/chat',
    text: body.message.content,
    provider: chat.headers.get('x-graphiti-provider'),
  });
  return results;
}

if (isMain(import.meta.url)) {
  const world = await startFakeWorld(`[server]\nauth_token = "${GATEWAY_TOKEN}"\n`);
  const config = loadConfig({ env: world.env });
  const gateway = await startGateway({ config, logger: pino({ level: 'warn' }), port: 0 });
  try {
    console.log(`gateway at ${gateway.url}`);
    for (const result of await driveGateway(gateway.url)) console.log(JSON.stringify(result));
  } finally {
    await gateway.close();
    await world.close();
  }
}
