import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildConfig,
  CLOUD_KEY,
  CLOUD_MODEL,
  LOCAL_MODEL,
  startFixture,
} from './__fixtures__/gateway-fixture.js';
import { openRuntime } from './runtime.js';
import { type Gateway, startGateway } from './start-gateway.js';

const messages = [{ role: 'user', content: 'hello' }];

describe('a gateway whose storage is down at start', () => {
  let cloud: OllamaFake;
  let local: OllamaFake;
  let dir: string;
  let blocker: string;
  let gateway: Gateway;

  beforeAll(async () => {
    cloud = await startOllamaFake({ models: [CLOUD_MODEL], apiKey: CLOUD_KEY });
    local = await startOllamaFake({ models: [LOCAL_MODEL] });
    dir = mkdtempSync(join(tmpdir(), 'graphiti-storage-down-'));
    blocker = join(dir, 'state');
    writeFileSync(blocker, 'a file where the database folder should be');
    const config = buildConfig(dir, cloud, local, { storageUrl: `sqlite:${join(blocker, 'graphiti.db')}` });
    const runtime = await openRuntime({ config, deferStorage: true });
    gateway = await startGateway({ config, runtime, port: 0, readyCacheMs: 0, replayIntervalMs: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await gateway.runtime.close();
    await Promise.all([cloud.close(), local.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown) =>
    fetch(`${gateway.url}/api/chat`, { method: 'POST', body: JSON.stringify(body) });

  it('starts, serves what the providers can, says not ready, and never claims to have queued', async () => {
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as { checks: { storage: { ok: boolean; message: string } } };
    expect(readiness.checks.storage.ok).toBe(false);
    expect(readiness.checks.storage.message).toMatch(/not writable/);

    const served = await post({ model: CLOUD_MODEL, messages, stream: false });
    expect(served.status).toBe(200);

    cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    await local.stop();
    const refused = await post({ model: CLOUD_MODEL, messages, stream: false });
    expect(refused.status).toBe(503);
    const body = (await refused.json()) as { queued: boolean; error: string; request_id?: string };
    expect(body.queued).toBe(false);
    expect(body.request_id).toBeUndefined();
    expect(body.error).toMatch(/NOT queued/);
  });

  it('opens the storage once it can, reports ready, and queues again', async () => {
    rmSync(blocker);
    // the storage is tried again at most once a second
    await vi.waitFor(
      async () => {
        const ready = await fetch(`${gateway.url}/readyz`);
        const readiness = (await ready.json()) as { checks: { storage: { ok: boolean } } };
        expect(readiness.checks.storage.ok).toBe(true);
      },
      { timeout: 5000, interval: 200 },
    );
    const queued = await post({ model: CLOUD_MODEL, messages, stream: false });
    expect(queued.status).toBe(503);
    const body = (await queued.json()) as { queued: boolean; request_id: string };
    expect(body.queued).toBe(true);
    const item = await fetch(`${gateway.url}/graphiti/queue/${body.request_id}`);
    expect(item.status).toBe(200);
  });
});

describe('startGateway with an unreachable PostgreSQL', () => {
  it('starts (it opens its own runtime with a deferred storage), serves, and is not ready', async () => {
    const fixture = await startFixture({ storageUrl: 'postgres://postgres:pw-secret-99@127.0.0.1:1/none' });
    try {
      const ready = await fixture.fetch('/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.text()).not.toContain('pw-secret-99');
      const served = await fixture.fetch('/api/chat', {
        method: 'POST',
        body: JSON.stringify({ model: CLOUD_MODEL, messages, stream: false }),
      });
      expect(served.status).toBe(200);
    } finally {
      await fixture.close();
    }
  });
});
