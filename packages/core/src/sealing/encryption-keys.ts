import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SEALING_KEY_BYTES } from './sealer';

/**
 * One key of `HOOKLINE_ENCRYPTION_KEYS`: base64 of exactly 32 bytes, padded or not, and in its
 * one canonical spelling (Node's decoder would take stray characters and trailing bits).
 */
export function parseEncryptionKey(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  if (key.length !== SEALING_KEY_BYTES) return undefined;
  return key.toString('base64').replace(/=$/, '') === text.replace(/=$/, '') ? key : undefined;
}

/**
 * `HOOKLINE_ENCRYPTION_KEYS`, comma-separated: the keys, or the message naming the first bad
 * one by its place (never by its value: the value is a key).
 */
export function parseEncryptionKeys(text: string): Buffer[] | string {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const keys: Buffer[] = [];
  for (const [i, part] of parts.entries()) {
    const key = parseEncryptionKey(part);
    if (!key)
      return `key ${i + 1} of ${parts.length} is not base64 of exactly ${SEALING_KEY_BYTES} bytes (make one with: openssl rand -base64 32)`;
    keys.push(key);
  }
  return keys;
}

/** Where a local start keeps the key it generated, under the working directory. */
export const LOCAL_KEY_FILE = path.join('.hookline', 'encryption-key');

/**
 * The key of a local start without `HOOKLINE_ENCRYPTION_KEYS`: the one in `.hookline/` of `dir`,
 * made (mode 0600) by the first process that needs it. The producer and the dispatcher started
 * together from one directory share it, and a restart opens what the last run sealed. Two
 * processes starting at once make one key between them: each writes its own file and links it
 * into place, and the link only succeeds when there is none yet.
 */
export function localEncryptionKey(dir: string): { key: Buffer; file: string; created: boolean } {
  const file = path.resolve(dir, LOCAL_KEY_FILE);
  const read = () => {
    const key = parseEncryptionKey(readFileSync(file, 'utf8').trim());
    if (!key)
      throw new Error(
        `${file} does not hold a base64 32-byte key: remove it only if nothing was sealed with it, or set HOOKLINE_ENCRYPTION_KEYS`,
      );
    return key;
  };
  try {
    return { key: read(), file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(SEALING_KEY_BYTES);
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return { key, file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: read(), file, created: false };
  } finally {
    unlinkSync(draft);
  }
}
