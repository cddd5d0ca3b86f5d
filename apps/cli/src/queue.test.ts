import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphiti, useFakes } from './__fixtures__/harness.js';

const world = useFakes();

/** Stops both fakes, asks once, and returns the id the CLI printed. */
async function queueOne(prompt: string): Promise<string> {
  await Promise.all([world.cloud.stop(), world.local.stop()]);
  const run = await graphiti(['chat', prompt], { env: world.box.env });
  expect(run.code).toBe(1);
  const id = /Queued as (\S+?)\./.exec(run.stderr)?.[1];
  expect(id).toBeDefined();
  return id as string;
}

describe('the queue flow', () => {
  it('queues when both are down, lists it, replays it when local is back, and shows the result', async () => {
    await Promise.all([world.cloud.stop(), world.local.stop()]);
    const chat = await graphiti(['chat', '--json', 'remember this'], { env: world.box.env });
    expect(chat.code).toBe(1);
    const { error } = JSON.parse(chat.stdout);
    expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE', queued: true });
    const id: string = error.request_id;
    expect(chat.stderr).toContain(`Queued as ${id}`);

    const list = await graphiti(['queue', 'list', '--json'], { env: world.box.env });
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ id, status: 'ready', operation: 'chat', attempts: 0 });
    expect(listed.stats.counts.ready).toBe(1);
    const text = await graphiti(['queue', 'list'], { env: world.box.env });
    expect(text.stdout).toContain(id);
    expect(text.stdout).toContain('ready');

    await world.local.start();
    const replay = await graphiti(['retry-queue', '--json'], { env: world.box.env });
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ processed: 1, succeeded: 1, requeued: 0, failed: 0 });
    expect(replay.stderr).toBe(''); // no progress off a terminal

    const show = await graphiti(['queue', 'show', id, '--json'], { env: world.box.env });
    expect(show.code).toBe(0);
    const item = JSON.parse(show.stdout);
    expect(item).toMatchObject({ id, status: 'done', operation: 'chat' });
    expect(item.params.messages).toEqual([{ role: 'user', content: 'remember this' }]);
    expect(item.result).toMatchObject({ provider: 'local', model: 'gemma2:9b' });
    expect(item.result.message.content).toBe(
      world.local.expectedText({
        model: 'gemma2:9b',
        messages: [{ role: 'user', content: 'remember this' }],
      }),
    );
    const shown = await graphiti(['queue', 'show', id], { env: world.box.env });
    expect(shown.stdout).toContain('served by local, gemma2:9b');
    expect(shown.stdout).toContain(item.result.message.content);
    expect(shown.stdout).toMatch(/^replays\s+answered on the first replay$/m);
    expect(shown.stdout).not.toMatch(/^attempts/m);
  });

  it('retry-queue exits 0 and puts items back while the providers stay down', async () => {
    const id = await queueOne('still down');
    const replay = await graphiti(['retry-queue'], { env: world.box.env });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('0 done, 1 put back for later');
    const show = JSON.parse((await graphiti(['queue', 'show', id, '--json'], { env: world.box.env })).stdout);
    expect(show).toMatchObject({ status: 'ready', attempts: 1 });
    expect(show.lastError).toContain('ECONNREFUSED');
    const text = (await graphiti(['queue', 'show', id], { env: world.box.env })).stdout;
    expect(text).toMatch(/^replays\s+1 failed$/m);
    expect(text).toMatch(/^last error\s+.*ECONNREFUSED.*\(the item stays queued for the next replay\)$/m);
    expect(text).not.toContain('Not queued again');
  });

  it('retry-queue says there is nothing to do on an empty queue', async () => {
    const run = await graphiti(['retry-queue'], { env: world.box.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing to replay');
  });

  it('retry-queue exits 1 when the storage cannot be opened', async () => {
    const blocker = join(world.box.home, 'not-a-directory');
    writeFileSync(blocker, '');
    const run = await graphiti(['retry-queue'], {
      env: { ...world.box.env, GRAPHITI_STORAGE_URL: `sqlite:${join(blocker, 'graphiti.db')}` },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('graphiti:');
  });
});

describe('graphiti queue show', () => {
  it('exits 1 for an unknown id', async () => {
    const run = await graphiti(['queue', 'show', 'no-such-id'], { env: world.box.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No queued request with id no-such-id');
  });
});

describe('graphiti queue list and purge', () => {
  it('filters by status, purges finished items by default and ready ones on request', async () => {
    await queueOne('first');
    await world.local.start();
    expect((await graphiti(['retry-queue'], { env: world.box.env })).code).toBe(0);
    const second = await queueOne('second');

    const done = JSON.parse(
      (await graphiti(['queue', 'list', '--status', 'done', '--json'], { env: world.box.env })).stdout,
    );
    expect(done.items).toHaveLength(1);
    const ready = JSON.parse(
      (
        await graphiti(['queue', 'list', '--status', 'ready,leased', '--limit', '5', '--json'], {
          env: world.box.env,
        })
      ).stdout,
    );
    expect(ready.items.map((item: { id: string }) => item.id)).toEqual([second]);

    const young = await graphiti(['queue', 'purge', '--older-than', '24h'], { env: world.box.env });
    expect(young.code).toBe(0);
    expect(young.stdout).toBe('removed 0 items\n');
    const purge = await graphiti(['queue', 'purge', '--json'], { env: world.box.env });
    expect(JSON.parse(purge.stdout)).toEqual({ removed: 1 });
    const purgeReady = await graphiti(['queue', 'purge', '--status', 'ready'], { env: world.box.env });
    expect(purgeReady.stdout).toBe('removed 1 item\n');
    const after = JSON.parse((await graphiti(['queue', 'list', '--json'], { env: world.box.env })).stdout);
    expect(after.items).toEqual([]);
  });

  it('exits 2 on an unknown status, a bad limit or a bad duration', async () => {
    for (const args of [
      ['queue', 'list', '--status', 'pending'],
      ['queue', 'list', '--limit', '0'],
      ['queue', 'purge', '--older-than', 'yesterday'],
      ['queue', 'show'],
    ]) {
      const run = await graphiti(args, { env: world.box.env });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
    }
  });
});
