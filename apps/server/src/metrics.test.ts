import { describe, expect, it } from 'vitest';
import { createGatewayMetrics } from './metrics.js';

describe('createGatewayMetrics', () => {
  it('counts requests per label set and escapes label values', async () => {
    const metrics = createGatewayMetrics({ now: () => 1_700_000_000_000 });
    metrics.recordRequest({ path: '/api/chat', method: 'POST', status: 200, provider: 'cloud' });
    metrics.recordRequest({ path: '/api/chat', method: 'POST', status: 200, provider: 'cloud' });
    metrics.recordRequest({ path: 'we"ird\\path\n', method: 'GET', status: 404, provider: 'none' });
    const text = await metrics.render({
      cooldownActive: false,
      storageUp: true,
      queueCounts: { ready: 2, done: 0 },
    });
    expect(text).toContain(
      'graphiti_http_requests_total{method="POST",path="/api/chat",status="200",provider="cloud"} 2\n',
    );
    expect(text).toContain('path="we\\"ird\\\\path\\n"');
    expect(text).toContain('graphiti_queue_items{status="ready"} 2\n');
    expect(text).toContain('graphiti_process_start_time_seconds 1700000000\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('counts llm_failover events seen by the observing logger and forwards every call', async () => {
    const metrics = createGatewayMetrics();
    const seen: string[] = [];
    const base = {
      debug: (_object: object, message?: string) => seen.push(`debug ${message}`),
      info: (_object: object, message?: string) => seen.push(`info ${message}`),
      warn: (_object: object, message?: string) => seen.push(`warn ${message}`),
      error: (_object: object, message?: string) => seen.push(`error ${message}`),
    };
    const logger = metrics.observe(base);
    const failover = {
      event: 'llm_failover',
      from_provider: 'cloud',
      to_provider: 'local',
      reason: 'transient',
    };
    logger.warn(failover, 'llm_failover');
    logger.warn(failover, 'llm_failover');
    logger.info({ event: 'something_else' }, 'other');
    expect(seen).toEqual(['warn llm_failover', 'warn llm_failover', 'info other']);
    expect(await metrics.render({ cooldownActive: true, storageUp: false })).toContain(
      'graphiti_llm_failovers_total{from_provider="cloud",to_provider="local",reason="transient"} 2\n',
    );
  });
});
