import { StoredEndpoint, type SealedEndpoint } from '../schemas';
import type { Sealer } from '../sealing/sealer';

/**
 * Every secret an endpoint's record holds, each passed through `f`: the one list of them. The
 * store seals them with it before a record reaches Redis and opens them after reading one, and
 * `reseal` checks them with it; a secret field added to endpoints is one line here.
 */
function mapSecrets(endpoint: StoredEndpoint, f: (value: string) => string): StoredEndpoint {
  const { auth } = endpoint;
  return {
    ...endpoint,
    // Signing secrets (`whsec_`) and keys (`whsk_`), the current one and those in their grace.
    secrets: endpoint.secrets.map((secret) => ({ ...secret, key: f(secret.key) })),
    // Custom header values: an `Authorization` token to the receiver is as much a secret.
    headers: Object.fromEntries(
      Object.entries(endpoint.headers).map(([name, value]) => [name, f(value)]),
    ),
    // What authenticates Hookline to the receiver: an OAuth 2.0 client secret, a certificate's key.
    auth:
      auth?.type === 'oauth2_client_credentials'
        ? { ...auth, client_secret: f(auth.client_secret) }
        : auth?.type === 'client_certificate'
          ? { ...auth, key: f(auth.key) }
          : null,
    // A broker's URL with its password or token; the shown `url` has none.
    broker_url: endpoint.broker_url === null ? null : f(endpoint.broker_url),
  };
}

/** The endpoint as Redis holds it: every secret sealed under the sealer's current key. */
export const sealEndpoint = (sealer: Sealer, endpoint: StoredEndpoint): SealedEndpoint =>
  mapSecrets(endpoint, (value) => sealer.seal(value));

/** The endpoint as Hookline uses it: every secret opened (or, written before sealing, plain). */
export function openEndpoint(sealer: Sealer, sealed: SealedEndpoint): StoredEndpoint {
  const opened = mapSecrets(sealed, (value) => sealer.open(value));
  return {
    ...opened,
    secrets: StoredEndpoint.shape.secrets.parse(opened.secrets),
    auth: StoredEndpoint.shape.auth.parse(opened.auth),
  };
}

/** Whether every secret of a record as Redis holds it is sealed under the sealer's current key. */
export function sealedUnderCurrentKey(sealer: Sealer, stored: SealedEndpoint): boolean {
  let current = true;
  mapSecrets(stored, (value) => {
    current &&= sealer.isCurrent(value);
    return value;
  });
  return current;
}
