import type { ServerResponse } from 'node:http';
import { servedHeaders } from '../exchange.js';
import { writeChunk } from '../http-utils.js';

/** One server-sent event: its `event:` name and the JSON `data:`. */
export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

/** Sends the headers of an SSE answer (with who served it). */
export function startSse(response: ServerResponse, provider: string, model: string): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...servedHeaders(provider, model),
  });
}

/** Writes events in order; resolves false when the client went away. */
export async function writeEvents(response: ServerResponse, events: readonly SseEvent[]): Promise<boolean> {
  if (events.length === 0) return true;
  const text = events.map((item) => `event: ${item.event}\ndata: ${JSON.stringify(item.data)}\n\n`).join('');
  return writeChunk(response, text);
}
