import { ConfigError, type Config } from '../config';
import { localEncryptionKey } from './encryption-keys';

/**
 * The keys a process seals and opens secrets with: `HOOKLINE_ENCRYPTION_KEYS`, or, outside
 * production and without it, the local key (encryption-keys.ts) in `dir`, with a line to log
 * that names its file (never the key). In production without keys it throws the
 * {@link ConfigError} the process stops with: a key made up there would be lost with the
 * container, and every secret sealed under it with it.
 */
export function encryptionKeysAtStart(
  config: Pick<Config, 'encryptionKeys' | 'production'>,
  dir = process.cwd(),
): { encryptionKeys: Buffer[]; notice?: string } {
  if (config.encryptionKeys.length > 0) return { encryptionKeys: config.encryptionKeys };
  if (config.production)
    throw new ConfigError(
      'HOOKLINE_ENCRYPTION_KEYS: must be set when NODE_ENV=production (comma-separated base64 32-byte keys: openssl rand -base64 32)',
    );
  let local;
  try {
    local = localEncryptionKey(dir);
  } catch (error) {
    throw new ConfigError(
      `HOOKLINE_ENCRYPTION_KEYS: not set, and the local key cannot be used: ${(error as Error).message}`,
    );
  }
  const { key, file, created } = local;
  return {
    encryptionKeys: [key],
    notice: `HOOKLINE_ENCRYPTION_KEYS is not set: sealing secrets with the local key in ${file}${created ? ' (generated now)' : ''}`,
  };
}
