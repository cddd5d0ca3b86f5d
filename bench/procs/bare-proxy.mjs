// The floor: a bare Node proxy, about twenty lines. Forwards every request to UPSTREAM with the cloud key
// and pipes the answer back; no parsing, no routing, no storage. Usage: node bare-proxy.mjs UPSTREAM KEY
import { createServer, request } from 'node:http';

const upstream = new URL(process.argv[2]);
const key = process.argv[3];
const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 256 });
const server = createServer((incoming, outgoing) => {
  const headers = { ...incoming.headers, host: upstream.host, authorization: `Bearer ${key}` };
  const forward = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: incoming.url,
      method: incoming.method,
      headers,
      agent,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  forward.on('error', () => outgoing.destroy());
  incoming.pipe(forward);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
