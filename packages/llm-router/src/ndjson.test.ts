import { describe, expect, it } from 'vitest';
import { createLineReader, parseLine } from './ndjson.js';

function body(parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(typeof part === 'string' ? encoder.encode(part) : part);
      controller.close();
    },
  });
}

async function all(parts: (string | Uint8Array)[]): Promise<{ objects: unknown[]; malformed: string[] }> {
  const malformed: string[] = [];
  const reader = createLineReader(body(parts));
  const objects: unknown[] = [];
  for (let line = await reader.next(); line !== undefined; line = await reader.next()) {
    const value = parseLine(line);
    if (value === undefined) malformed.push(line);
    else objects.push(value);
  }
  return { objects, malformed };
}

describe('createLineReader and parseLine', () => {
  it('hands out each line exactly as sent, not re-serialised', async () => {
    const reader = createLineReader(body(['{"b": 1,  "a":"x"}\n', '{"z":[ 1 ]}']));
    expect([await reader.next(), await reader.next(), await reader.next()]).toEqual([
      '{"b": 1,  "a":"x"}',
      '{"z":[ 1 ]}',
      undefined,
    ]);
  });

  it('reads objects, also when a line is split across reads and the last has no newline', async () => {
    expect(await all(['{"a":1}\n{"b"', ':2}\n', '{"c":3}'])).toEqual({
      objects: [{ a: 1 }, { b: 2 }, { c: 3 }],
      malformed: [],
    });
  });

  it('skips blank lines silently and reports malformed ones without passing them on', async () => {
    expect(await all(['{"a":1}\nthis is not json {"done":\n\n[1,2]\n{"b":2}\n'])).toEqual({
      objects: [{ a: 1 }, { b: 2 }],
      malformed: ['this is not json {"done":', '[1,2]'],
    });
  });

  it('keeps multi-byte characters split across reads intact', async () => {
    const bytes = new TextEncoder().encode('{"t":"é"}\n');
    expect(await all([bytes.slice(0, 7), bytes.slice(7)])).toEqual({ objects: [{ t: 'é' }], malformed: [] });
  });

  it('rejects when the body fails', async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":1}\n'));
        controller.error(new TypeError('terminated'));
      },
    });
    const reader = createLineReader(failing);
    await expect(reader.next()).rejects.toThrow('terminated');
  });
});
