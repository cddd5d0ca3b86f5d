import { describe, expect, it } from 'vitest';
import { graphiti } from './__fixtures__/harness.js';

describe('graphiti demo', () => {
  it('runs every step on this machine and exits 0', async () => {
    const run = await graphiti(['demo'], {
      env: { HOME: '/nonexistent-home', OLLAMA_API_KEY: 'user-key-never-used' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const titles = [
      '[1/8] The configuration',
      '[2/8] Cloud first',
      '[3/8] A 503 burst: retried, then failed over to local',
      '[4/8] A 429: the cooldown starts, and the next request skips the cloud',
      '[5/8] Both down: the request is queued, not lost',
      '[6/8] Local is back: retry-queue replays it, the result is readable by id',
      '[7/8] Health',
      '[8/8] Quota',
    ];
    let at = 0;
    for (const title of titles) {
      const index = run.stdout.indexOf(title, at);
      expect(index, title).toBeGreaterThan(at);
      at = index;
    }
    expect(run.stdout).toContain('served by cloud (gpt-oss:120b)');
    expect(run.stdout).toMatch(
      /event llm_failover\s+from_provider=cloud to_provider=local reason=transient error_code=503/,
    );
    expect(run.stdout).toContain('reason=rate_limit');
    expect(run.stdout).toMatch(/Queued as \S+/);
    expect(run.stdout).toContain('1 done');
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout).not.toContain('user-key-never-used');
    expect(run.stdout).toContain('Demo complete');
  });
});
