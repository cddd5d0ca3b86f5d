import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatEvents, type SseEvent } from '../sse.js';

/** A tiny HTTP server that answers every POST with these SSE events, so a real client parses them. */
export async function replaySse(
  events: readonly SseEvent[],
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(formatEvents(events));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
