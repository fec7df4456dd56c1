import { serverUrls } from '@hookline/core';
import { parseServerUrl } from './server-url';

/** `text` with every password and token of the endpoint's server URLs masked. */
export function withoutSecrets(text: string, brokerUrl: string): string {
  let masked = text;
  for (const server of serverUrls(brokerUrl)) {
    let credentials;
    try {
      credentials = parseServerUrl(server).credentials;
    } catch {
      continue;
    }
    if (!credentials) continue;
    const secret = 'token' in credentials ? credentials.token : credentials.pass;
    masked = masked.replaceAll(secret, '***').replaceAll(encodeURIComponent(secret), '***');
  }
  return masked;
}
