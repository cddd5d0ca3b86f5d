import { loadConfig } from '@graphiti/llm-config';
import { LLMRequestError, LLMUnavailableError } from '@graphiti/llm-router';
import { describe, expect, it } from 'vitest';
import { errorReply } from './exchange.js';
import { createScrubber } from './secret-scrub.js';

const config = loadConfig({ path: '/nonexistent/llm.toml', env: {} });

describe('errorReply', () => {
  it('answers 422 when the queue refused a reused Idempotency-Key with a different body', () => {
    const conflict = Object.assign(new Error('key abc was used for other params'), {
      code: 'IDEMPOTENCY_CONFLICT',
    });
    const error = new LLMUnavailableError('No provider could answer. The request was NOT queued: conflict', {
      queued: false,
      failures: [],
      cause: conflict,
    });
    const reply = errorReply(error, config);
    expect(reply.status).toBe(422);
    expect(reply.code).toBe('idempotency_conflict');
    expect(reply.message).toMatch(/Idempotency-Key/);
    expect(errorReply(new LLMUnavailableError('down', { queued: false, failures: [] }), config).status).toBe(
      503,
    );
  });

  it("answers an upstream 4xx with the provider's own text and status, secrets scrubbed by value", () => {
    const error = Object.assign(
      new LLMRequestError('The request was rejected as invalid by every provider tried: …', {
        status: 404,
        failures: [],
      }),
      { upstreamMessage: "model 'x' not found (key sk-live-123456)" },
    );
    const reply = errorReply(error, config, createScrubber(['sk-live-123456']));
    expect(reply).toMatchObject({ status: 404, message: "model 'x' not found (key [redacted])" });
  });
});
