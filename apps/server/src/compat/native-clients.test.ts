import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import { embed, generateText, streamText } from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';
import { describe, expect, it } from 'vitest';
import { CLOUD_MODEL, EMBED_MODEL, LOCAL_MODEL, useGateway } from '../__fixtures__/gateway-fixture.js';

const TOKEN = 'gateway-token-native-clients';
const question = 'Name a colour.';
const user = [{ role: 'user', content: question }];

describe('native-API clients pointed at the gateway', () => {
  const fixture = useGateway({ token: TOKEN });
  const auth = { Authorization: `Bearer ${TOKEN}` };

  describe('@langchain/ollama', () => {
    const chat = (): ChatOllama =>
      new ChatOllama({ baseUrl: fixture.gateway.url, model: CLOUD_MODEL, headers: auth, maxRetries: 0 });

    it('invokes a chat model answered by the cloud', async () => {
      const answer = await chat().invoke(question);
      expect(answer.content).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: user }));
      expect(fixture.cloud.requests.at(-1)?.path).toBe('/api/chat');
    });

    it('streams, and falls over to local when the cloud is down', async () => {
      fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
      let text = '';
      for await (const chunk of await chat().stream(question)) text += String(chunk.content);
      expect(text).toBe(fixture.local.expectedText({ model: LOCAL_MODEL, messages: user }));
    });

    it('answers with no local server at all, and embeds through the cloud', async () => {
      await fixture.local.stop();
      const answer = await chat().invoke(question);
      expect(answer.content).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: user }));
      const embeddings = new OllamaEmbeddings({
        baseUrl: fixture.gateway.url,
        model: EMBED_MODEL,
        headers: auth,
      });
      const vector = await embeddings.embedQuery('one');
      expect(vector).toEqual(fixture.cloud.expectedEmbedding(EMBED_MODEL, 'one'));
    });
  });

  describe('Vercel AI SDK with ollama-ai-provider-v2', () => {
    const provider = () => createOllama({ baseURL: `${fixture.gateway.url}/api`, headers: auth });

    it('generates text answered by the cloud', async () => {
      const result = await generateText({ model: provider()(CLOUD_MODEL), prompt: question, maxRetries: 0 });
      expect(result.text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: user }));
      expect(result.response.headers?.['x-graphiti-provider']).toBe('cloud');
    });

    it('streams text from local when the cloud is down', async () => {
      fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
      const result = streamText({ model: provider()(CLOUD_MODEL), prompt: question, maxRetries: 0 });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      expect(text).toBe(fixture.local.expectedText({ model: LOCAL_MODEL, messages: user }));
    });

    it('answers and embeds with no local server at all', async () => {
      await fixture.local.stop();
      const result = await generateText({ model: provider()(CLOUD_MODEL), prompt: question, maxRetries: 0 });
      expect(result.text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: user }));
      const { embedding } = await embed({
        model: provider().textEmbeddingModel(EMBED_MODEL),
        value: 'one',
        maxRetries: 0,
      });
      expect(embedding).toEqual(fixture.cloud.expectedEmbedding(EMBED_MODEL, 'one'));
    });

    it('surfaces a 503 as an error when both are down', async () => {
      fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
      await fixture.local.stop();
      const error = await generateText({
        model: provider()(CLOUD_MODEL),
        prompt: question,
        maxRetries: 0,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as { statusCode?: number }).statusCode).toBe(503);
    });
  });
});
