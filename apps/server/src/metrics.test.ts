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

describe('metrics from typed router events', () => {
  it('counts attempts, failovers and cooldowns, and observes upstream and added time', async () => {
    const metrics = createGatewayMetrics();
    metrics.onRouterEvent({
      type: 'attempt',
      callId: 'c1',
      operation: 'chat',
      provider: 'cloud',
      model: 'gpt-oss:120b',
      outcome: 'rate_limit',
      status: 429,
      totalMs: 12,
    });
    metrics.onRouterEvent({
      type: 'failover',
      callId: 'c1',
      from_provider: 'cloud',
      to_provider: 'local',
      reason: 'rate_limit',
      error_code: 429,
      model: 'gpt-oss:120b',
    });
    metrics.onRouterEvent({
      type: 'cooldown',
      scope: 'model',
      model: 'glm-5',
      until: Date.now() + 60_000,
      reason: 'subscription',
    });
    metrics.onRouterEvent({
      type: 'answered',
      callId: 'c1',
      operation: 'chat',
      provider: 'local',
      model: 'llama3.2:3b',
      stream: false,
      upstreamFirstChunkMs: 40,
      upstreamTotalMs: 100,
    });
    metrics.finishCall('c1', 100.5, '/api/chat');
    // once typed events flow, log lines are not counted a second time
    metrics
      .observe()
      .warn({ event: 'llm_failover', from_provider: 'cloud', to_provider: 'local', reason: 'rate_limit' });
    const text = await metrics.render({ cooldownActive: false, storageUp: true });
    expect(text).toContain(
      'graphiti_llm_requests_total{provider="cloud",model="gpt-oss:120b",outcome="rate_limit"} 1\n',
    );
    expect(text).toContain(
      'graphiti_llm_failovers_total{from_provider="cloud",to_provider="local",reason="rate_limit"} 1\n',
    );
    expect(text).toContain('graphiti_model_cooldown_active{model="glm-5"} 1\n');
    expect(text).toContain(
      'graphiti_upstream_first_chunk_seconds_bucket{le="0.05",provider="local",operation="chat"} 1\n',
    );
    expect(text).toContain('graphiti_upstream_total_seconds_sum{provider="local",operation="chat"} 0.1\n');
    expect(text).toContain('graphiti_gateway_added_seconds_bucket{le="0.00025",path="/api/chat"} 0\n');
    expect(text).toContain('graphiti_gateway_added_seconds_bucket{le="0.0005",path="/api/chat"} 1\n');
  });
});
