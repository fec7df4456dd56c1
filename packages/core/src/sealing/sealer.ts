import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * The sealed form's version: `hls1:<key id>:<base64url of iv ‖ ciphertext ‖ tag>`. A later
 * form gets another version, and both open side by side while records move over.
 */
const VERSION = 'hls1';
/** A 96-bit IV, random per seal: the size GCM is built for (NIST SP 800-38D, 8.2.2). */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** AES-256. */
export const SEALING_KEY_BYTES = 32;

/** A value that cannot be opened: sealed under a key that is not configured, or altered. */
export class SealingError extends Error {
  override name = 'SealingError';
}

/**
 * The id a sealed value names its key by: the first 6 bytes of the key's SHA-256, in hex. It
 * tells which configured key opens a value and gives nothing of the key away.
 */
export function sealingKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/**
 * Seals values with AES-256-GCM under the first of its keys and opens them under whichever of
 * its keys sealed them, so that keys rotate: a new key goes first, older ones keep opening until
 * everything is sealed again under the new one (`reseal`).
 */
export class Sealer {
  private readonly keys = new Map<string, Buffer>();
  /** The id of the key that seals. */
  readonly currentKeyId: string;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new SealingError('no encryption key to seal secrets with');
    for (const key of keys) {
      if (key.length !== SEALING_KEY_BYTES)
        throw new SealingError(`an encryption key must be ${SEALING_KEY_BYTES} bytes`);
      this.keys.set(sealingKeyId(key), key);
    }
    this.currentKeyId = sealingKeyId(keys[0]!);
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const header = `${VERSION}:${this.currentKeyId}:`;
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    // The header is authenticated too: a value moved under another version or key id fails.
    cipher.setAAD(Buffer.from(header));
    const body = Buffer.concat([
      iv,
      cipher.update(plain, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return header + body.toString('base64url');
  }

  /**
   * The plain value of `value`. A value without the sealed form's prefix was written before
   * sealing existed and is plain already: it is returned as it is (and sealed on its next write).
   */
  open(value: string): string {
    if (!isSealed(value)) return value;
    const [, keyId = '', body = ''] = value.split(':');
    const key = this.keys.get(keyId);
    if (!key)
      throw new SealingError(
        `a secret is sealed under key ${keyId}, which is not in HOOKLINE_ENCRYPTION_KEYS`,
      );
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES)
      throw new SealingError(`a secret sealed under key ${keyId} is cut short`);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${VERSION}:${keyId}:`));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SealingError(`a secret sealed under key ${keyId} does not open: it was altered`);
    }
  }

  /** Whether `value` is sealed under the key that seals now (else `reseal` seals it again). */
  isCurrent(value: string): boolean {
    return value.startsWith(`${VERSION}:${this.currentKeyId}:`);
  }
}

/** Whether `value` is in the sealed form (of any key), rather than plain. */
export function isSealed(value: string): boolean {
  return value.startsWith(`${VERSION}:`);
}
