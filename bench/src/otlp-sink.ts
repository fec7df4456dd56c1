// The OTLP sink: a child process of the bench that stands in for a collector when Hookline runs
// with tracing on, so that reading and counting the exports does not share an event loop with
// the bench's clients. It accepts OTLP/HTTP protobuf (`POST /v1/traces`, what the SDK sends by
// default), reads every body whole, answers 200 with an empty ExportTraceServiceResponse, and
// counts requests, bytes and spans by service; `GET /stats` answers the counts as JSON.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { countSpans } from './otlp-spans';
import type { SinkListening, SinkStats } from './otlp-sink-client';

const stats: SinkStats = { requests: 0, bytes: 0, spans: 0, refused: 0, services: {} };

function count(body: Buffer, encoding: string | undefined): boolean {
  let spans: Map<string, number>;
  try {
    spans = countSpans(encoding === 'gzip' ? gunzipSync(body) : body);
  } catch {
    return false;
  }
  stats.requests += 1;
  stats.bytes += body.length;
  // One SDK per process, so one resource per request: its requests and bytes are its service's.
  const [first = '(none)'] = spans.keys();
  const service = (stats.services[first] ??= { requests: 0, bytes: 0, spans: 0 });
  service.requests += 1;
  service.bytes += body.length;
  for (const [name, n] of spans) {
    stats.spans += n;
    (stats.services[name] ??= { requests: 0, bytes: 0, spans: 0 }).spans += n;
  }
  return true;
}

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  if (req.method === 'POST' && req.url === '/v1/traces') {
    if (count(body, req.headers['content-encoding'])) {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
      return;
    }
    stats.refused += 1;
    res.writeHead(400).end();
  } else if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
  } else {
    stats.refused += 1;
    res.writeHead(404).end();
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => answer(req, res, Buffer.concat(chunks)));
});
// The exporters keep their connections between batches seconds apart.
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

// Dies with the bench: IPC closes when the parent exits, however it exits.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const message: SinkListening = {
    type: 'listening',
    port: typeof address === 'object' && address ? address.port : 0,
  };
  process.send?.(message);
});
