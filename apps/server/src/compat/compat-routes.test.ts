import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MODEL, type Fixture, LOCAL_MODEL, startFixture } from '../__fixtures__/gateway-fixture.js';
import type { Exchange, GatewayContext } from '../exchange.js';
import { matchCompatRoute } from './compat-routes.js';

describe('matchCompatRoute: GET /v1/models/{model}', () => {
  let fixture: Fixture;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    fixture = await startFixture();
    const context: GatewayContext = {
      config: fixture.config,
      runtime: fixture.gateway.runtime,
      logger: undefined,
      metrics: fixture.gateway.metrics,
      replayOnce: () => Promise.reject(new Error('not used')),
      readyCacheMs: 0,
    };
    // the route as the gateway's resolve() would call it
    const server = createServer((request, response) => {
      const parsed = new URL(request.url ?? '/', 'http://x');
      const route = matchCompatRoute(parsed.pathname);
      const handler = route?.methods[request.method ?? 'GET'];
      if (handler === undefined) {
        response.writeHead(404).end();
        return;
      }
      const exchange: Exchange = {
        request,
        response,
        url: parsed,
        signal: new AbortController().signal,
        provider: 'none',
      };
      void handler(exchange, context);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    await close();
    await fixture.close();
  });

  it('retrieves a local model and the cloud default through the openai client', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
    expect(await client.models.retrieve(LOCAL_MODEL)).toMatchObject({ id: LOCAL_MODEL, object: 'model' });
    expect(await client.models.retrieve(CLOUD_MODEL)).toMatchObject({
      id: CLOUD_MODEL,
      owned_by: 'ollama-cloud',
    });
  });

  it('answers an OpenAI-shaped 404 for an unknown model', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
    const error = await client.models.retrieve('nope:1b').catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.message).toContain('model "nope:1b" not found');
  });

  it('matches only /v1/models/{model}', () => {
    expect(matchCompatRoute('/v1/models/llama3.2%3A3b')?.template).toBe('/v1/models/:model');
    expect(matchCompatRoute('/v1/models')).toBeUndefined();
  });
});
