import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@graphiti/llm-config';
import type { RouterStream } from '@graphiti/llm-router';
import { StreamInterruptedError } from '@graphiti/llm-router';
import { describe, expect, it } from 'vitest';
import type { Exchange, GatewayContext } from './exchange.js';
import { createGatewayMetrics } from './metrics.js';
import { pipeNdjson } from './ollama-api.js';
import { createScrubber } from './secret-scrub.js';

/** A stream shaped like contract B's (with `lines()`), over fixed upstream lines. */
function linesStream(lines: string[], failAfter?: number): RouterStream<object> {
  return {
    provider: 'cloud',
    model: 'gpt-oss:120b',
    abort() {},
    async *lines() {
      for (const [index, line] of lines.entries()) {
        if (index === failAfter)
          throw new StreamInterruptedError('the upstream stream ended without done', {
            partial: 'a',
            provider: 'cloud',
            model: 'gpt-oss:120b',
          });
        yield line;
      }
    },
    [Symbol.asyncIterator]() {
      throw new Error('the parsed iterator must not be used when lines() exists');
    },
  } as RouterStream<object>;
}

async function serve(stream: RouterStream<object>): Promise<string> {
  const context = {
    config: loadConfig({ path: '/nonexistent/llm.toml', env: {} }),
    logger: undefined,
    metrics: createGatewayMetrics(),
    scrub: createScrubber(['secret-key-777']),
  } as unknown as GatewayContext;
  const server = createServer((request, response) => {
    const exchange: Exchange = {
      request,
      response,
      url: new URL('http://x/api/chat'),
      signal: new AbortController().signal,
      provider: 'none',
    };
    void pipeNdjson(exchange, context, stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
  } finally {
    server.close();
  }
}

describe('pipeNdjson with RouterStream.lines()', () => {
  it('writes the upstream lines exactly as sent (field order, unknown fields, spacing), secrets scrubbed', async () => {
    const upstream = [
      '{"model":"gpt-oss:120b","created_at":"2026-12-01T00:00:00Z","message":{"role":"assistant","content":"hi","future_field":[1, 2]},"done":false}',
      '{"done":true,"model":"gpt-oss:120b","note":"secret-key-777","eval_count":3}',
    ];
    const text = await serve(linesStream(upstream));
    expect(text).toBe(`${upstream[0]}\n${upstream[1]?.replace('secret-key-777', '[redacted]')}\n`);
  });

  it('ends a stream that fails after its first line with an error line and no done line', async () => {
    const text = await serve(linesStream(['{"done":false,"message":{"content":"a"}}', '{"done":true}'], 1));
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] as string)).toEqual({ error: expect.stringMatching(/without done/) });
  });
});
