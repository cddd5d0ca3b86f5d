import { describe, expect, it } from 'vitest';
import { classifyError, classifyStatus, errorCode, usageWindow } from './classify.js';

function responseError(status: number, message = 'x'): Error {
  return Object.assign(new Error(message), { name: 'ResponseError', status_code: status, error: message });
}
function fetchFailed(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

describe('classifyStatus', () => {
  it.each([
    [429, 'rate_limit', false],
    [401, 'auth', false],
    [403, 'auth', false],
    [400, 'bad_request', false],
    [422, 'bad_request', false],
    [404, 'not_found', false],
    [500, 'transient', true],
    [502, 'transient', true],
    [503, 'transient', true],
    [408, 'transient', true],
  ])('HTTP %i is %s (retryable: %s)', (status, reason, retryable) => {
    expect(classifyStatus(status, 'm')).toEqual({ reason, code: status, retryable, message: 'm' });
  });
});

describe('the cloud answer table (notes §9.4)', () => {
  it.each([
    [429, 'timed out waiting for a concurrent request slot', 'concurrency'],
    [
      429,
      'you (someone) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade',
      'rate_limit',
    ],
    [429, 'something the cloud never said before', 'rate_limit'],
    [
      402,
      'this model uses extra usage only (not included plan usage) and your extra usage balance is empty',
      'model_unavailable',
    ],
    [403, 'this model requires a subscription, upgrade for access', 'model_unavailable'],
    [403, 'forbidden', 'auth'],
    [503, 'Server overloaded, please retry shortly (ref: 1)', 'transient'],
    [404, "model 'x' not found", 'not_found'],
    [400, 'invalid think value: "huge"', 'bad_request'],
  ])('%i %s is %s', (status, text, reason) => {
    expect(classifyStatus(status, text).reason).toBe(reason);
  });

  it.each([
    ["you've reached your hourly usage limit, please wait or upgrade to continue", 'hourly'],
    ['you (me) have reached your session usage limit, upgrade for higher limits', 'session'],
    ['you (me) have reached your weekly usage limit, upgrade or add extra usage: x (ref: y)', 'weekly'],
    ['timed out waiting for a concurrent request slot', undefined],
  ])('reads the usage window of %s', (text, window) => {
    expect(usageWindow(text)).toBe(window);
  });
});

describe('classifyError', () => {
  it('reads the ollama client ResponseError status', () => {
    expect(classifyError(responseError(503, 'Server overloaded'), true)).toMatchObject({
      reason: 'transient',
      code: 503,
      retryable: true,
    });
  });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'EAI_AGAIN',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_SOCKET',
  ])('treats %s before any response as a retryable connection failure', (code) => {
    expect(classifyError(fetchFailed(code), false)).toMatchObject({
      reason: 'connection',
      code,
      retryable: true,
    });
  });

  it('treats read timeouts as timeouts that are not retried', () => {
    expect(classifyError(fetchFailed('UND_ERR_HEADERS_TIMEOUT'), false)).toMatchObject({
      reason: 'timeout',
      retryable: false,
    });
    expect(
      classifyError(new TypeError('terminated', { cause: fetchFailed('UND_ERR_BODY_TIMEOUT') }), true),
    ).toMatchObject({ reason: 'timeout', code: 'UND_ERR_BODY_TIMEOUT', retryable: false });
  });

  it('treats failures after the response started as stream failures, never retried', () => {
    expect(classifyError(new Error('model runner crashed'), true)).toMatchObject({
      reason: 'stream',
      code: 'STREAM_ERROR',
      retryable: false,
    });
    expect(
      classifyError(new Error('Did not receive done or success response in stream.'), true),
    ).toMatchObject({
      code: 'STREAM_TRUNCATED',
    });
    expect(classifyError(new SyntaxError('Unexpected end of JSON input'), true)).toMatchObject({
      code: 'MALFORMED_RESPONSE',
    });
    expect(classifyError(fetchFailed('UND_ERR_SOCKET'), true)).toMatchObject({
      reason: 'stream',
      retryable: false,
    });
  });

  it('does not retry an unknown failure', () => {
    expect(classifyError(new Error('weird'), false)).toMatchObject({
      reason: 'connection',
      code: 'UNKNOWN',
      retryable: false,
    });
  });

  it('finds codes inside an AggregateError (happy eyeballs)', () => {
    const aggregate = new AggregateError(
      [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })],
      'all failed',
    );
    expect(errorCode(new TypeError('fetch failed', { cause: aggregate }))).toBe('ECONNREFUSED');
  });
});
