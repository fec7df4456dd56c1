import type { Transport } from '../transport';
import type { Resealed } from '../types';

/**
 * `/v1/encryption-keys`: the keys the producer seals stored secrets under
 * (`HOOKLINE_ENCRYPTION_KEYS`). Operator keys only: with a tenant key it is a 403 `forbidden`.
 */
export class EncryptionKeys {
  constructor(private readonly http: Transport) {}

  /**
   * Seals every endpoint's secrets again under the first key, online; `resealed` says how many
   * endpoints needed it, `already_current` how many did not. Run it after a new key is first on
   * every process and before the old one is dropped. Running it twice is harmless, so it is
   * retried like a read.
   */
  reseal(): Promise<Resealed> {
    return this.http.request({
      method: 'POST',
      path: 'v1/encryption-keys/reseal',
      retryable: true,
    });
  }
}
