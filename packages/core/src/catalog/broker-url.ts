import type { EndpointType } from '@hookline/api';

/**
 * A broker endpoint's URL holds its credentials (`user:password@`, or a NATS `token@`): the store
 * keeps the URL as given in `broker_url`, sealed, and shows `url` without them. A NATS endpoint's
 * URL is one or more server URLs separated by commas, as NATS's own tools write them.
 */

/** The server URLs a broker endpoint's URL names (one for RabbitMQ, one or more for NATS). */
export const serverUrls = (text: string): string[] => text.split(',');

/** One server URL without its password; a NATS user name alone is a token, so it goes too. */
function withoutSecret(type: EndpointType, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (type === 'nats' && url.password === '') url.username = '';
  url.password = '';
  // `URL` writes `nats://host:4222` back unchanged but adds a `/` to an empty path of a special
  // scheme only; neither broker scheme is one, so the text stays as written.
  return url.href;
}

/** Where an endpoint's deliveries go as the API shows it and as the store keeps it sealed. */
export function endpointAddress(
  type: EndpointType,
  url: string,
): { url: string; broker_url: string | null } {
  if (type === 'http') return { url, broker_url: null };
  return {
    url: serverUrls(url)
      .map((server) => withoutSecret(type, server))
      .join(','),
    broker_url: url,
  };
}
