import { describe, expect, it } from 'vitest';
import { LLMRequestError, LLMUnavailableError, RouterError, StreamInterruptedError } from './errors.js';

describe('router errors', () => {
  it('carry codes and data, and isInstance works across copies via Symbol.for markers', () => {
    const unavailable = new LLMUnavailableError('down', { requestId: 'r1', queued: true, failures: [] });
    expect(unavailable).toMatchObject({
      code: 'LLM_UNAVAILABLE',
      requestId: 'r1',
      queued: true,
      retryable: true,
    });
    expect(LLMUnavailableError.isInstance(unavailable)).toBe(true);
    expect(RouterError.isInstance(unavailable)).toBe(true);
    expect(StreamInterruptedError.isInstance(unavailable)).toBe(false);

    const cause = new Error('socket');
    const interrupted = new StreamInterruptedError('cut', {
      partial: 'Hel',
      provider: 'cloud',
      model: 'm',
      cause,
    });
    expect(interrupted).toMatchObject({
      code: 'STREAM_INTERRUPTED',
      partial: 'Hel',
      provider: 'cloud',
      cause,
    });
    expect(StreamInterruptedError.isInstance(interrupted)).toBe(true);

    const invalid = new LLMRequestError('bad', { status: 400, failures: [] });
    expect(invalid).toMatchObject({ code: 'LLM_BAD_REQUEST', status: 400, retryable: false });
    expect(LLMRequestError.isInstance(invalid)).toBe(true);

    // an error from a duplicate install only shares the Symbol.for marker
    const foreign = { [Symbol.for('graphiti.llm.error.LLMUnavailableError')]: true };
    expect(LLMUnavailableError.isInstance(foreign)).toBe(true);
    expect(LLMUnavailableError.isInstance(new Error('x'))).toBe(false);
    expect(LLMUnavailableError.isInstance(null)).toBe(false);
  });
});
