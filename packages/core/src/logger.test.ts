import { Writable } from 'node:stream';
import { createLogger } from './logger';

/** What a logger writes, line by line. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', 'test', destination) };
}

test("an endpoint's auth, client secret and access token are redacted wherever they are logged", () => {
  const { lines, logger } = capture();
  logger.info({
    endpoint: { auth: { client_secret: 'cs-1', key: 'PRIVATE' } },
    client_secret: 'cs-2',
    body: { client_secret: 'cs-3', access_token: 'at-1' },
  });
  const text = lines.join('');
  for (const secret of ['cs-1', 'PRIVATE', 'cs-2', 'cs-3', 'at-1'])
    expect(text).not.toContain(secret);
  expect(text).toContain('[redacted]');
});
