import { describe, expect, it } from 'vitest';
import { createCallReporter, servedLine } from './call-reporter.js';

function reporter(now: { ms: number }) {
  let stderr = '';
  const r = createCallReporter({
    stderr: (text) => {
      stderr += text;
    },
    tty: true,
    retry: { max_attempts: 3, delay_seconds: 10 },
    now: () => now.ms,
    showAfterMs: 0,
  });
  return { r, out: () => stderr };
}

describe('the call reporter, fed router events (contract B)', () => {
  it('counts a retry delay down with its reason and attempt: cloud 503, retrying in 10 s (2/3)', () => {
    const now = { ms: 1_000_000 };
    const { r, out } = reporter(now);
    r.waiting('waiting for the answer');
    r.onEvent({
      type: 'attempt',
      provider: 'cloud',
      model: 'm',
      outcome: 'transient',
      status: 503,
      totalMs: 5,
    });
    expect(out()).toContain('\r\u001b[2Kcloud 503, retrying in 10 s (2/3)');
    now.ms += 4000;
    r.onEvent({ type: 'cooldown', scope: 'model', until: 0, reason: 'x' }); // unrelated: no redraw
    r.onEvent({
      type: 'attempt',
      provider: 'cloud',
      model: 'm',
      outcome: 'transient',
      status: 502,
      totalMs: 5,
    });
    expect(out()).toContain('cloud 502, retrying in 10 s (3/3)');
    r.onEvent({
      type: 'failover',
      from_provider: 'cloud',
      to_provider: 'local',
      reason: 'transient',
      error_code: 502,
      model: 'm',
    });
    expect(out()).toContain('cloud 502 (server error): trying local');
    r.onEvent({ type: 'queued', requestId: 'req-1', operation: 'chat', model: 'm' });
    expect(out()).toContain('queued as req-1');
    r.settle();
    expect(out().endsWith('\r\u001b[2K')).toBe(true);
    expect(r.fallbacks).toEqual([
      { from: 'cloud', to: 'local', reason: 'transient', code: '502', model: 'm' },
    ]);
  });

  it('prefers events over the log lines once events arrive, and draws nothing off a terminal', () => {
    let stderr = '';
    const r = createCallReporter({
      stderr: (text) => {
        stderr += text;
      },
      tty: false,
      retry: { max_attempts: 2, delay_seconds: 1 },
      showAfterMs: 0,
    });
    r.waiting('waiting');
    r.onRecord({
      level: 40,
      event: 'llm_failover',
      from_provider: 'cloud',
      to_provider: 'local',
      reason: 'auth',
      error_code: 401,
    });
    expect(r.fallbacks).toHaveLength(1);
    r.onEvent({
      type: 'failover',
      from_provider: 'cloud',
      to_provider: 'local',
      reason: 'rate_limit',
      error_code: 429,
      model: 'm',
    });
    expect(r.fallbacks.map((f) => f.reason)).toEqual(['rate_limit']);
    r.settle();
    expect(stderr).toBe('');
  });
});

describe('servedLine', () => {
  it('is plain when the first choice answered', () => {
    expect(servedLine('cloud', 'gpt-oss:120b', { fallbacks: [] })).toBe('served by cloud (gpt-oss:120b)\n');
  });
  it('names the failure and the cooldown end after a 429', () => {
    const until = Date.UTC(2026, 0, 1, 22, 5, 13);
    const line = servedLine('local', 'gemma2:9b', {
      fallbacks: [{ from: 'cloud', to: 'local', reason: 'rate_limit', code: '429' }],
      cooldown: { until, reason: 'hourly usage limit' },
      now: until - 60_000,
    });
    expect(line).toBe(
      'served by local (gemma2:9b) because cloud failed: 429 rate limited; cloud skipped until 22:05:13 UTC\n',
    );
  });
});
