import fc from 'fast-check';
import { WebhookVerificationError, type VerificationFailure } from './errors';
import { SECRET_PREFIX } from './secret';
import { sign, verifySignature } from './signature';

const secretArb = fc
  .uint8Array({ minLength: 24, maxLength: 64 })
  .map((bytes) => SECRET_PREFIX + Buffer.from(bytes).toString('base64'));
const idArb = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const timestampArb = fc.integer({ min: 0, max: 2 ** 40 });
const bodyArb = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constant('{}'),
  fc.uint8Array({ minLength: 100 * 1024, maxLength: 100 * 1024 }).map((b) => Buffer.from(b)),
);

function headersFor(id: string, timestamp: string, signature: string) {
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
}

/** A copy of `bytes` with one byte, picked by `index`, changed by `delta` (1–255). */
function flipByte(bytes: Buffer, index: number, delta: number): Buffer {
  const copy = Buffer.from(bytes);
  const at = index % copy.length;
  copy[at] = (copy[at]! + delta) % 256;
  return copy;
}

function reasonOf(run: () => unknown): VerificationFailure | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      return error.reason;
    }
    throw error;
  }
  return undefined;
}

// Tolerance is off here: these properties are about the signature alone.
const anyTime = { toleranceSeconds: Infinity };

test('verifies whatever it signs, for any body, secret, id and timestamp', () => {
  fc.assert(
    fc.property(bodyArb, secretArb, idArb, timestampArb, (body, secret, id, timestamp) => {
      const signature = sign({ id, timestamp, body, secrets: [secret] });
      const headers = headersFor(id, String(timestamp), signature);
      verifySignature(body, headers, secret, { now: () => timestamp * 1000 });
    }),
    { numRuns: 60 },
  );
});

test('verifies with any one of several signing secrets', () => {
  fc.assert(
    fc.property(
      fc.array(secretArb, { minLength: 1, maxLength: 5 }),
      fc.nat(),
      fc.string({ unit: 'binary' }),
      (secrets, pick, body) => {
        const signature = sign({ id: 'whd_1', timestamp: 1, body, secrets });
        const one = secrets[pick % secrets.length]!;
        verifySignature(body, headersFor('whd_1', '1', signature), one, anyTime);
      },
    ),
  );
});

test('rejects any single-byte change to the body', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((b) => Buffer.from(b)),
      secretArb,
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (body, secret, index, delta) => {
        const headers = headersFor(
          'whd_1',
          '1',
          sign({ id: 'whd_1', timestamp: 1, body, secrets: [secret] }),
        );
        const tampered = flipByte(body, index, delta);
        expect(reasonOf(() => verifySignature(tampered, headers, secret, anyTime))).toBe(
          'no_matching_signature',
        );
      },
    ),
  );
});

test('rejects any single-byte change to the id', () => {
  fc.assert(
    fc.property(
      idArb,
      secretArb,
      fc.nat(),
      fc.integer({ min: 1, max: 93 }),
      (id, secret, index, delta) => {
        const signature = sign({ id, timestamp: 1, body: '{}', secrets: [secret] });
        // Kept within printable ASCII so the header stays a valid, non-empty id.
        const bytes = Buffer.from(id, 'latin1');
        const at = index % bytes.length;
        bytes[at] = 0x21 + ((bytes[at]! - 0x21 + delta) % 94);
        const headers = headersFor(bytes.toString('latin1'), '1', signature);
        expect(reasonOf(() => verifySignature('{}', headers, secret, anyTime))).toBe(
          'no_matching_signature',
        );
      },
    ),
  );
});

test('rejects any single-digit change to the timestamp', () => {
  fc.assert(
    fc.property(
      timestampArb,
      secretArb,
      fc.nat(),
      fc.integer({ min: 1, max: 9 }),
      (timestamp, secret, index, delta) => {
        const signature = sign({ id: 'whd_1', timestamp, body: '{}', secrets: [secret] });
        const digits = String(timestamp).split('');
        const at = index % digits.length;
        digits[at] = String((Number(digits[at]) + delta) % 10);
        const headers = headersFor('whd_1', digits.join(''), signature);
        expect(reasonOf(() => verifySignature('{}', headers, secret, anyTime))).toBe(
          'no_matching_signature',
        );
      },
    ),
  );
});
