import { createServer } from 'node:http';

// The instant ingest server's child process (see instant-ingest-server.ts): serves, tells the parent its port.
if (process.send) {
  const answer = JSON.stringify({
    events: Array.from({ length: 100 }, (_, i) => ({
      logId: `0195b0c4-8d0e-7000-8000-${String(i).padStart(12, '0')}`,
      seq: i,
      duplicate: false,
    })),
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.(typeof address === 'object' && address ? address.port : 0);
  });
}
