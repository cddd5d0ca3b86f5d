import { afterAll, describe, expect, it } from 'vitest';
import { type Running, runChild as run } from './__fixtures__/run-child.js';
import { backends } from './__fixtures__/test-backends.js';
import { openStorage } from './open-storage.js';

async function kill(running: Running): Promise<void> {
  running.process.kill('SIGKILL');
  expect(await running.exited).toBe('SIGKILL');
}

describe.each(backends())('several processes on $name', (backend) => {
  afterAll(async () => {
    await backend.cleanup();
  });

  it('migrates a fresh database from 4 processes at once', async () => {
    const url = await backend.fresh();
    const children = Array.from({ length: 4 }, () => run('open', url));
    const outputs = await Promise.all(children.map((running) => running.next()));
    expect(outputs).toEqual(Array.from({ length: 4 }, () => ({ opened: true })));
    expect(await Promise.all(children.map((running) => running.exited))).toEqual([0, 0, 0, 0]);
  });

  it('keeps an item whose put returned before the process was SIGKILLed', async () => {
    const url = await backend.fresh();
    const running = run('put', url);
    const { id } = await running.next();
    await kill(running);
    const storage = await openStorage(url);
    try {
      expect(await storage.queue.get(id as string)).toMatchObject({
        status: 'ready',
        params: { from: 'child' },
      });
    } finally {
      await storage.close();
    }
  });

  it('hands an item out again after the lease of a SIGKILLed worker ends', async () => {
    const url = await backend.fresh();
    const storage = await openStorage(url);
    try {
      const id = await storage.queue.put('embed', { input: 'x' });
      const running = run('lease', url, { leaseSeconds: 1.5 });
      expect(await running.next()).toEqual({ ids: [id] });
      await kill(running);
      expect(await storage.queue.lease({ count: 1, leaseSeconds: 30 })).toEqual([]);
      let again: readonly { id: string }[] = [];
      for (let waited = 0; again.length === 0 && waited < 5000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        again = await storage.queue.lease({ count: 1, leaseSeconds: 30 });
      }
      expect(again.map((item) => item.id)).toEqual([id]);
    } finally {
      await storage.close();
    }
  });

  it('gets the items stranded by a SIGKILL during a replay back within leaseSeconds; the dead worker holds nothing else', async () => {
    const url = await backend.fresh();
    const storage = await openStorage(url);
    try {
      const ids: string[] = [];
      for (let n = 0; n < 10; n++) ids.push(await storage.queue.put('chat', { n }));
      const leaseSeconds = 2;
      const running = run('replay', url, { leaseSeconds, workMs: 100 });
      // Kill it while it replays the third item.
      for (let n = 0; n < 3; n++) expect(await running.next()).toEqual({ replaying: ids[n] });
      await kill(running);
      const killedAt = Date.now();
      const stats = await storage.queue.stats();
      expect(stats.counts.done).toBe(2);
      expect(stats.counts.leased).toBe(1); // one item at a time: only the one in flight is stranded
      // The other 7 are available at once; the stranded one once its (short) lease ends.
      const free = await storage.queue.lease({ count: 10, leaseSeconds: 30 });
      expect(free.map((item) => item.id)).toEqual(ids.slice(3));
      let stranded: readonly { id: string }[] = [];
      while (stranded.length === 0 && Date.now() - killedAt < (leaseSeconds + 2) * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        stranded = await storage.queue.lease({ count: 10, leaseSeconds: 30 });
      }
      expect(stranded.map((item) => item.id)).toEqual([ids[2]]);
      expect(Date.now() - killedAt).toBeLessThan((leaseSeconds + 1) * 1000);
    } finally {
      await storage.close();
    }
  });

  it('acks each of 2,000 items exactly once across 4 worker processes, losing none', async () => {
    const url = await backend.fresh();
    const storage = await openStorage(url, { maxSize: 2000 });
    try {
      const ids: string[] = [];
      for (let n = 0; n < 2000; n++) ids.push(await storage.queue.put('chat', { n }));
      const workers = Array.from({ length: 4 }, (_, worker) => run('work', url, { worker, count: 5 }));
      for (const running of workers) expect(await running.next()).toEqual({ ready: true });
      for (const running of workers) running.process.stdin?.write('go\n');
      const outputs = await Promise.all(workers.map((running) => running.next()));
      expect(await Promise.all(workers.map((running) => running.exited))).toEqual([0, 0, 0, 0]);
      const ackedBy = new Map<string, number>();
      outputs.forEach((output, worker) => {
        for (const id of output.acked as string[]) {
          expect(ackedBy.has(id), `item ${id} acked twice`).toBe(false);
          ackedBy.set(id, worker);
        }
      });
      expect(ackedBy.size).toBe(2000);
      expect([...ackedBy.keys()].sort()).toEqual([...ids].sort());
      const stats = await storage.queue.stats();
      expect(stats.counts).toEqual({ ready: 0, leased: 0, done: 2000, failed: 0, expired: 0 });
      const done = await storage.queue.list({ status: 'done', limit: 2000 });
      for (const item of done) expect(item.result).toEqual({ worker: ackedBy.get(item.id) });
      // The workers really ran side by side (started together, several of them acked items).
      expect(new Set(ackedBy.values()).size).toBeGreaterThan(1);
    } finally {
      await storage.close();
    }
  }, 120_000); // 4,000 commits on a machine shared with other work
});
