import * as noble from '@noble/ed25519';
import {
  decodePublicKey,
  decodeSigningKey,
  generateSigningKey,
  publicKeyOf,
  PUBLIC_KEY_PREFIX,
} from './ed25519';
import { WebhookVerificationError } from './errors';
import { generateSecret } from './secret';
import { sign, verifySignature } from './signature';

const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const timestamp = 1614265330;
const body = '{"test": 2432232314}';
const headersFor = (signature: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});
const now = () => timestamp * 1000;

test('a v1a signature verifies under an independent ed25519 implementation (@noble/ed25519)', async () => {
  const key = generateSigningKey();
  const publicKey = publicKeyOf(key);
  const signature = sign({ id, timestamp, body, secrets: [key] });
  expect(signature).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
  const raw = Buffer.from(signature.slice('v1a,'.length), 'base64');
  const publicRaw = Buffer.from(publicKey.slice(PUBLIC_KEY_PREFIX.length), 'base64');
  const content = Buffer.from(`${id}.${timestamp}.${body}`);
  expect(await noble.verify(raw, content, publicRaw)).toBe(true);
  expect(await noble.verify(raw, Buffer.from(`${id}.${timestamp}.{}`), publicRaw)).toBe(false);
  // And noble's own public key of the same seed is the one Hookline shows.
  const seed = Buffer.from(key.slice('whsk_'.length), 'base64');
  expect(Buffer.from(await noble.getPublicKey(seed)).toString('base64')).toBe(
    publicRaw.toString('base64'),
  );
});

test('a signature @noble/ed25519 makes verifies with the whpk_ key, and one of another key does not', async () => {
  const seed = Buffer.alloc(32, 7);
  const publicKey = `${PUBLIC_KEY_PREFIX}${Buffer.from(await noble.getPublicKey(seed)).toString('base64')}`;
  const made = Buffer.from(await noble.sign(Buffer.from(`${id}.${timestamp}.${body}`), seed));
  expect(() =>
    verifySignature(body, headersFor(`v1a,${made.toString('base64')}`), publicKey, { now }),
  ).not.toThrow();
  const other = publicKeyOf(generateSigningKey());
  expect(() =>
    verifySignature(body, headersFor(`v1a,${made.toString('base64')}`), other, { now }),
  ).toThrow(WebhookVerificationError);
});

test('during a rotation the header carries both keys’ signatures and either public key verifies; a v1 secret never matches a v1a entry', () => {
  const [older, newer] = [generateSigningKey(), generateSigningKey()];
  const header = sign({ id, timestamp, body, secrets: [newer, older] });
  expect(header.split(' ')).toHaveLength(2);
  for (const key of [older, newer])
    expect(() =>
      verifySignature(body, headersFor(header), publicKeyOf(key), { now }),
    ).not.toThrow();
  expect(() => verifySignature(body, headersFor(header), generateSecret(), { now })).toThrow(
    /no v1 signature/,
  );
  const hmac = generateSecret();
  const mixed = sign({ id, timestamp, body, secrets: [hmac, newer] });
  expect(() => verifySignature(body, headersFor(mixed), hmac, { now })).not.toThrow();
  expect(() => verifySignature(body, headersFor(mixed), publicKeyOf(newer), { now })).not.toThrow();
});

test('a tampered body, id or timestamp fails v1a; bad keys are refused with a clear message', () => {
  const key = generateSigningKey();
  const publicKey = publicKeyOf(key);
  const header = sign({ id, timestamp, body, secrets: [key] });
  expect(() => verifySignature(`${body} `, headersFor(header), publicKey, { now })).toThrow(
    /no v1a signature/,
  );
  expect(() =>
    verifySignature(body, { ...headersFor(header), 'webhook-id': 'msg_other' }, publicKey, { now }),
  ).toThrow(WebhookVerificationError);
  expect(() => verifySignature(body, headersFor('v1a,AAAA'), publicKey, { now })).toThrow(
    WebhookVerificationError,
  );
  expect(() => decodeSigningKey('whsk_short')).toThrow(/base64 of 32 bytes/);
  expect(() => decodePublicKey('whsec_' + 'A'.repeat(44))).toThrow(/starts with "whpk_"/);
});

test("the Standard Webhooks libraries' own v1a example: the same key, message and time give the same signature", () => {
  // The known answer in standard-webhooks' Go library tests (webhook_asymmetric_test.go,
  // TestAsymmetricWebhookSign): a key given as base64 of its 32-byte seed, as whsk_ keys are.
  const key = 'whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=';
  const expected =
    'v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==';
  expect(sign({ id, timestamp, body, secrets: [key] })).toBe(expected);
  expect(() =>
    verifySignature(body, headersFor(expected), [publicKeyOf(key)], { now }),
  ).not.toThrow();
  expect(() =>
    verifySignature('{"test": 2432232315}', headersFor(expected), [publicKeyOf(key)], { now }),
  ).toThrow(WebhookVerificationError);
});
