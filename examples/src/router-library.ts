// Example 1: the router as a library, with the queue and the cooldown in one SQLite file.
// Run: pnpm --filter @graphiti/examples build && node examples/dist/router-library.js
import { loadConfig } from '@graphiti/llm-config';
import { openStorage } from '@graphiti/llm-queue';
import { createQuotaTracker } from '@graphiti/llm-quota';
import { createRouter, LLMUnavailableError, processPending } from '@graphiti/llm-router';
import { pino } from 'pino';
import { isMain, startFakeWorld } from './fakes.js';

/** What the example did, for its test. */
export interface RouterLibraryResult {
  readonly first: { provider: string; model: string; text: string };
  readonly afterOutage: { provider: string; model: string };
  readonly queuedId: string | undefined;
  readonly replayed: number;
}

/** Asks once, fails over once, queues once, replays once. `env` names the configuration (llm.toml). */
export async function runRouterLibrary(
  env: Record<string, string | undefined>,
  outages: { cloudDown(): Promise<unknown>; allDown(): Promise<unknown>; localBack(): Promise<unknown> },
): Promise<RouterLibraryResult> {
  const config = loadConfig({ env });
  const logger = pino({ level: 'silent' });
  const storage = await openStorage(config.storage.url, { maxSize: config.queue.max_size });
  const quota = createQuotaTracker({ stateStore: storage.state, logger });
  const router = createRouter({
    config,
    logger,
    stateStore: storage.state,
    failedRequests: storage.queue,
    quota,
  });
  try {
    const answer = await router.chat({ messages: [{ role: 'user', content: 'Why is the sky blue?' }] });
    const first = { provider: answer.provider, model: answer.model, text: answer.message.content };

    await outages.cloudDown(); // the cloud fails: the local chain answers, and the answer says so
    const fallback = await router.chat({ messages: [{ role: 'user', content: 'And the sea?' }] });

    await outages.allDown(); // nothing answers: the request is kept in the queue
    let queuedId: string | undefined;
    try {
      await router.chat({ messages: [{ role: 'user', content: 'Remember this.' }] });
    } catch (error) {
      if (!LLMUnavailableError.isInstance(error)) throw error;
      queuedId = error.requestId;
    }

    await outages.localBack(); // later: replay what was queued
    const replay = await processPending(storage.queue, router, { limit: 10 });
    return {
      first,
      afterOutage: { provider: fallback.provider, model: fallback.model },
      queuedId,
      replayed: replay.succeeded,
    };
  } finally {
    await router.close();
    await storage.close();
  }
}

if (isMain(import.meta.url)) {
  const world = await startFakeWorld();
  try {
    const result = await runRouterLibrary(world.env, {
      cloudDown: async () => world.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 }),
      allDown: () => world.local.stop(),
      localBack: async () => {
        await world.local.start();
      },
    });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await world.close();
  }
}
