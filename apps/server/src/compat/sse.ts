import type { ServerResponse } from 'node:http';
import { servedHeaders } from '../exchange.js';
import { writeChunk } from '../http-utils.js';

/**
 * One server-sent event: its `event:` name (none for OpenAI's data-only streams) and the `data:`, sent as
 * JSON unless `raw` (OpenAI's closing `data: [DONE]` is not JSON).
 */
export interface SseEvent {
  readonly event?: string;
  readonly data: unknown;
  readonly raw?: boolean;
}

/** OpenAI's last event of a stream that ended cleanly. */
export const SSE_DONE: SseEvent = { data: '[DONE]', raw: true };

/** Sends the headers of an SSE answer (with who served it). */
export function startSse(response: ServerResponse, provider: string, model: string): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...servedHeaders(provider, model),
  });
}

/** Events as the text that goes on the wire. */
export function formatEvents(events: readonly SseEvent[]): string {
  return events
    .map((item) => {
      const name = item.event === undefined ? '' : `event: ${item.event}\n`;
      return `${name}data: ${item.raw === true ? String(item.data) : JSON.stringify(item.data)}\n\n`;
    })
    .join('');
}

/** Writes events in order; resolves false when the client went away. */
export async function writeEvents(response: ServerResponse, events: readonly SseEvent[]): Promise<boolean> {
  if (events.length === 0) return true;
  return writeChunk(response, formatEvents(events));
}
