// The receiver: a child process of the bench, so the endpoint's work does not share an event
// loop with whatever is sending to it. A keep-alive node:http server that answers 204.
import { createServer, type IncomingMessage } from 'node:http';
import { nowMs } from './clock';
import type { FromReceiver, Samples, TagStats, ToReceiver } from './receiver-protocol';

interface Tag {
  stats: TagStats;
  seen: Set<string>;
  samples: Samples;
}

const tags = new Map<string, Tag>();

function tagOf(name: string): Tag {
  let tag = tags.get(name);
  if (!tag) {
    tag = {
      stats: { count: 0, duplicates: 0, firstAt: null, lastAt: null },
      seen: new Set(),
      samples: { seqs: [], at: [] },
    };
    tags.set(name, tag);
  }
  return tag;
}

function receive(
  req: IncomingMessage,
  mode: string,
  name: string,
  body: Buffer[] | undefined,
): void {
  const at = nowMs();
  const tag = tagOf(name);
  const deliveryId = req.headers['webhook-id'];
  if (typeof deliveryId === 'string') {
    if (tag.seen.has(deliveryId)) {
      tag.stats.duplicates += 1;
      return;
    }
    tag.seen.add(deliveryId);
  }
  tag.stats.count += 1;
  tag.stats.firstAt ??= at;
  tag.stats.lastAt = at;
  if (mode === 'r' && body) {
    try {
      const event = JSON.parse(Buffer.concat(body).toString('utf8')) as {
        data?: { bench_seq?: unknown };
      };
      const seq = event.data?.bench_seq;
      if (typeof seq === 'number') {
        tag.samples.seqs.push(seq);
        tag.samples.at.push(at);
      }
    } catch {
      // Not JSON: counted, not sampled.
    }
  }
}

const server = createServer((req, res) => {
  const [, mode = '', name = ''] = (req.url ?? '').split('/', 3);
  const record = mode === 'r';
  const body: Buffer[] | undefined = record ? [] : undefined;
  if (body) req.on('data', (chunk: Buffer) => body.push(chunk));
  else req.resume();
  req.on('end', () => {
    if (req.method === 'POST' && (mode === 'c' || mode === 'r') && name !== '')
      receive(req, mode, name, body);
    res.writeHead(204).end();
  });
});
// Senders keep connections for seconds between bursts; do not close them under their feet.
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

function send(message: FromReceiver): void {
  process.send?.(message);
}

process.on('message', (message: ToReceiver) => {
  const tag = tagOf(message.tag);
  switch (message.type) {
    case 'stats':
      send({ id: message.id, type: 'stats', stats: tag.stats });
      break;
    case 'samples':
      send({ id: message.id, type: 'samples', samples: tag.samples });
      break;
    default: {
      const never: never = message;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
// Dies with the bench: IPC closes when the parent exits, however it exits.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
