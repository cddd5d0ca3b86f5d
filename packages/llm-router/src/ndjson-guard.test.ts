import { describe, expect, it } from 'vitest';
import { guardNdjson } from './ndjson-guard.js';

async function run(parts: string[]): Promise<{ text: string; malformed: string[] }> {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
  const malformed: string[] = [];
  const reader = guardNdjson(body, (line) => malformed.push(line));
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return { text, malformed };
}

describe('guardNdjson', () => {
  it('passes valid lines through, also when split across chunks', async () => {
    expect(await run(['{"a":1}\n{"b"', ':2}\n', '{"c":3}'])).toEqual({
      text: '{"a":1}\n{"b":2}\n{"c":3}',
      malformed: [],
    });
  });

  it('drops malformed lines and reports them, and drops blank lines silently', async () => {
    expect(await run(['{"a":1}\nthis is not json {"done":\n\n{"b":2}\n'])).toEqual({
      text: '{"a":1}\n{"b":2}\n',
      malformed: ['this is not json {"done":'],
    });
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const bytes = new TextEncoder().encode('{"t":"é"}\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    const reader = guardNdjson(body, () => {});
    let text = '';
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toBe('{"t":"é"}\n');
  });
});
