// A worker process for the queue benchmark: connects, says "ready", waits for "go" on stdin, then
// leases `batch` items at a time and acks each one, until a lease comes back empty.
import { createInterface } from 'node:readline';
import { createImpl } from './queue-impls.mjs';

const options = JSON.parse(process.argv[2]);
const impl = await createImpl(options);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write('ready\n');
await lines.next();
let acked = 0;
for (;;) {
  const items = await impl.lease(options.batch);
  if (items.length === 0) break;
  for (const item of items) {
    await impl.ack(item.id, { ok: true });
    acked++;
  }
}
process.stdout.write(`${JSON.stringify({ acked })}\n`);
await impl.close();
process.exit(0);
