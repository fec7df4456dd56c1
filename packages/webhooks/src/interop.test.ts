import fc from 'fast-check';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { SECRET_PREFIX, generateSecret } from './secret';
import { sign, verify, verifySignature } from './signature';

// Both libraries check the timestamp against the real clock, so these deliveries are
// signed "now" rather than at a fixed instant.
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const event = {
  id: 'evt_abc123',
  name: 'order.filled',
  resource: { id: 'ord_xyz789', resource_type: 'order' },
  data: { price: '12.50', note: 'naïve café ☕ 𝄞' },
  created_at: '2026-01-15T10:30:00Z',
};
const body = JSON.stringify(event);

const secretArb = fc
  .uint8Array({ minLength: 24, maxLength: 64 })
  .map((bytes) => SECRET_PREFIX + Buffer.from(bytes).toString('base64'));

// Both libraries parse what they verify, so the bodies are JSON; any unicode text.
const jsonArb = fc.oneof(
  fc.json(),
  fc.string({ unit: 'binary' }).map((text) => JSON.stringify({ text })),
);

function ourDelivery(secrets: string[], payload = body) {
  const id = 'whd_2c6f1b';
  const timestamp = nowSeconds();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign({ id, timestamp, body: payload, secrets }),
  };
}

function theirDelivery(lib: StandardWebhook | SvixWebhook, payload = body) {
  const id = 'msg_2c6f1b';
  const timestamp = nowSeconds();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': lib.sign(id, new Date(timestamp * 1000), payload),
  };
}

describe.each([
  ['standardwebhooks', (secret: string) => new StandardWebhook(secret)],
  ['svix', (secret: string) => new SvixWebhook(secret)],
])('with the %s library', (_, library) => {
  test('it verifies what we sign', () => {
    const secret = generateSecret();
    expect(library(secret).verify(body, ourDelivery([secret]))).toEqual(event);
  });

  test('we verify what it signs', () => {
    const secret = generateSecret();
    expect(verify(body, theirDelivery(library(secret)), secret)).toEqual(event);
  });

  test('it verifies our rotation header with either secret', () => {
    const [old, current] = [generateSecret(), generateSecret()];
    const headers = ourDelivery([current, old]);
    expect(library(old).verify(body, headers)).toEqual(event);
    expect(library(current).verify(body, headers)).toEqual(event);
  });

  test('it rejects what we sign with another secret', () => {
    expect(() => library(generateSecret()).verify(body, ourDelivery([generateSecret()]))).toThrow(
      'No matching signature found',
    );
  });

  test('both directions agree for any secret and body', () => {
    fc.assert(
      fc.property(secretArb, jsonArb, (secret, payload) => {
        const theirs = library(secret);
        theirs.verify(payload, ourDelivery([secret], payload));
        verifySignature(payload, theirDelivery(theirs, payload), secret);
      }),
    );
  });
});

test('standardwebhooks signs the Standard Webhooks test vector as we do', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const [id, timestamp, payload] = [
    'msg_p5jXN8AQM9LWM0D4loKWxJek',
    1614265330,
    '{"test": 2432232314}',
  ];
  const theirs = new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), payload);
  expect(sign({ id, timestamp, body: payload, secrets: [secret] })).toBe(theirs);
  expect(theirs).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});
