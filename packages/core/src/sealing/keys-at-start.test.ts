import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { LOCAL_KEY_FILE, localEncryptionKey } from './encryption-keys';
import { encryptionKeysAtStart } from './keys-at-start';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hookline-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('HOOKLINE_ENCRYPTION_KEYS', () => {
  const a = randomBytes(32);
  const b = randomBytes(32);

  test('takes comma-separated base64 32-byte keys, first first, padded or not', () => {
    const text = ` ${a.toString('base64')} ,${b.toString('base64').replace(/=$/, '')}`;
    expect(loadConfig({ HOOKLINE_ENCRYPTION_KEYS: text }).encryptionKeys).toEqual([a, b]);
  });

  test('unset or empty: no keys', () => {
    expect(loadConfig({}).encryptionKeys).toEqual([]);
    expect(loadConfig({ HOOKLINE_ENCRYPTION_KEYS: ' ' }).encryptionKeys).toEqual([]);
  });

  test.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['hex', randomBytes(32).toString('hex')],
    ['base64url', Buffer.alloc(32, 0xfb).toString('base64url')],
    ['stray characters', `${randomBytes(32).toString('base64').slice(0, 42)}!=`],
    ['a non-canonical last character', `${'A'.repeat(42)}B=`],
    ['a plain word', 'secret'],
  ])('refuses %s in one line naming the variable, never the value', (_, bad) => {
    const text = `${a.toString('base64')},${bad}`;
    expect(() => loadConfig({ HOOKLINE_ENCRYPTION_KEYS: text })).toThrow(ConfigError);
    let message = '';
    try {
      loadConfig({ HOOKLINE_ENCRYPTION_KEYS: text });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^HOOKLINE_ENCRYPTION_KEYS: key 2 of 2 is not base64 of exactly 32 bytes/,
    );
    expect(message).not.toContain('\n');
    expect(message).not.toContain(bad);
    expect(message).not.toContain(a.toString('base64'));
  });
});

describe('the keys a process starts with', () => {
  test('the configured ones, with nothing written', () => {
    const keys = [randomBytes(32)];
    expect(encryptionKeysAtStart({ encryptionKeys: keys, production: true }, dir)).toEqual({
      encryptionKeys: keys,
    });
    expect(() => statSync(path.join(dir, LOCAL_KEY_FILE))).toThrow();
  });

  test('none in production: refuses, in one line naming the variable', () => {
    expect(() => encryptionKeysAtStart({ encryptionKeys: [], production: true }, dir)).toThrow(
      /^HOOKLINE_ENCRYPTION_KEYS: must be set when NODE_ENV=production/,
    );
    expect(() => statSync(path.join(dir, '.hookline'))).toThrow();
  });

  test('none outside production: generates a key in .hookline/ (0600), says where but not what, and reuses it', () => {
    const first = encryptionKeysAtStart({ encryptionKeys: [], production: false }, dir);
    const file = path.join(dir, LOCAL_KEY_FILE);
    expect(first.encryptionKeys).toHaveLength(1);
    const key = first.encryptionKeys[0]!;
    expect(readFileSync(file, 'utf8').trim()).toBe(key.toString('base64'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.notice).toContain(file);
    expect(first.notice).toContain('generated');
    expect(first.notice).not.toContain(key.toString('base64'));

    const again = encryptionKeysAtStart({ encryptionKeys: [], production: false }, dir);
    expect(again.encryptionKeys).toEqual([key]);
    expect(again.notice).toContain(file);
    expect(again.notice).not.toContain('generated');
  });

  test('a local key file that holds no key stops the start, naming the variable and the file', () => {
    localEncryptionKey(dir);
    writeFileSync(path.join(dir, LOCAL_KEY_FILE), 'garbage\n');
    expect(() => encryptionKeysAtStart({ encryptionKeys: [], production: false }, dir)).toThrow(
      new RegExp(`^HOOKLINE_ENCRYPTION_KEYS: .*${path.join(dir, LOCAL_KEY_FILE)}`),
    );
  });
});
