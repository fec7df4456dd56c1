import { X509Certificate, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import type { EndpointAuth, EndpointAuthView } from '@hookline/api';
import type { StoredEndpointAuth } from '../schemas';

/** The authentication as stored: what was given, and a new revision (schemas.ts). */
export function storedAuth(auth: EndpointAuth): StoredEndpointAuth {
  return { ...auth, revision: randomBytes(8).toString('hex') };
}

/** The authentication as the API shows it: never the client secret or the private key. */
export function authView(auth: StoredEndpointAuth): EndpointAuthView {
  if (auth.type === 'oauth2_client_credentials') {
    const { client_secret: _secret, revision: _revision, ...view } = auth;
    return view;
  }
  const certificate = new X509Certificate(auth.certificate);
  return {
    type: 'client_certificate',
    certificate_fingerprint: certificate.fingerprint256,
    not_after: new Date(certificate.validTo).toISOString(),
  };
}

/**
 * Why a client certificate and key cannot be used, as `[field, message]`, or `undefined`: the
 * certificate must parse (PEM, X.509) and still be valid at `now`, the key must be an unencrypted
 * PEM private key (a dispatcher has nobody to ask for a passphrase), and it must be the
 * certificate's.
 */
export function clientCertificateProblem(
  pem: { certificate: string; key: string },
  now = Date.now(),
): ['certificate' | 'key', string] | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem.certificate);
  } catch {
    return ['certificate', 'must be a PEM X.509 certificate'];
  }
  if (Date.parse(certificate.validTo) <= now) return ['certificate', 'has expired'];
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem.key, format: 'pem' });
  } catch {
    return ['key', 'must be an unencrypted PEM private key'];
  }
  if (!certificate.checkPrivateKey(key))
    return ['key', 'is not the private key of the certificate'];
  return undefined;
}
