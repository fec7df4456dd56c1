import { parseServerUrl } from './server-url';
import { withoutSecrets } from './redact';

test('a user and password are a user and password; a lone user name is a token; none is none', () => {
  expect(parseServerUrl('tls://svc:p%40ss@nats.example.com:4443')).toEqual({
    host: 'nats.example.com',
    port: 4443,
    tls: true,
    credentials: { user: 'svc', pass: 'p@ss' },
  });
  expect(parseServerUrl('nats://s3cr3t@10.0.0.1').credentials).toEqual({ token: 's3cr3t' });
  expect(parseServerUrl('nats://[::1]:4222')).toEqual({
    host: '::1',
    port: 4222,
    tls: false,
    credentials: null,
  });
});

test("NATS's port is the default", () => {
  expect(parseServerUrl('tls://nats.example.com').port).toBe(4222);
});

test('every server’s password or token is masked in a message, as written and URL-encoded', () => {
  const url = 'nats://u:p%2Fw@a:4222,nats://tok@b:4222';
  expect(withoutSecrets('failed nats://u:p/w@a and p%2Fw and tok', url)).toBe(
    'failed nats://u:***@a and *** and ***',
  );
});
