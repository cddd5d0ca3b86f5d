// A child process for the crash-safety and concurrency tests. It uses the built package, as a
// separate program would. Usage: node queue-child.mjs <mode> <storage-url> [json-options]
import { openStorage } from '@graphiti/llm-queue';

const [mode, url, rawOptions] = process.argv.slice(2);
const options = rawOptions ? JSON.parse(rawOptions) : {};
const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const hang = () => setInterval(() => {}, 60_000);

const storage = await openStorage(url, { sqliteSynchronous: options.synchronous ?? 'full' });

switch (mode) {
  case 'open':
    await storage.close();
    say({ opened: true });
    break;
  case 'put': {
    const id = await storage.queue.put('chat', { from: 'child', pid: process.pid });
    say({ id }); // put has returned: the parent SIGKILLs us now
    hang();
    break;
  }
  case 'lease': {
    const items = await storage.queue.lease({ count: 1, leaseSeconds: options.leaseSeconds });
    say({ ids: items.map((item) => item.id) }); // leased and never acked: the parent SIGKILLs us now
    hang();
    break;
  }
  case 'work': {
    // Start together: say "ready", then wait for the parent's "go" on stdin.
    say({ ready: true });
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.pause();
    const acked = [];
    for (;;) {
      const items = await storage.queue.lease({ count: options.count, leaseSeconds: 60 });
      for (const item of items) {
        await storage.queue.ack(item.id, { worker: options.worker });
        acked.push(item.id);
      }
      if (items.length === 0) {
        if ((await storage.queue.stats()).pending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    await storage.close();
    say({ acked });
    break;
  }
  case 'increment': {
    say({ ready: true });
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.pause();
    const totals = [];
    const ttl = options.ttlSeconds === undefined ? undefined : { ttlSeconds: options.ttlSeconds };
    for (let n = 0; n < options.count; n++) totals.push(await storage.state.increment(options.key, 1, ttl));
    await storage.close();
    say({ totals });
    break;
  }
  case 'replay': {
    // A replay worker as the gateway runs it: one item leased at a time, extended while in flight.
    const started = [];
    for (;;) {
      const [item] = await storage.queue.lease({ count: 1, leaseSeconds: options.leaseSeconds });
      if (!item) break;
      started.push(item.id);
      say({ replaying: item.id });
      await new Promise((resolve) => setTimeout(resolve, options.workMs));
      await storage.queue.ack(item.id, { replayed: true }, { leaseToken: item.leaseToken });
    }
    await storage.close();
    say({ done: started });
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
