import type { StoredEndpoint } from '@hookline/core';
import type { AttemptOutcome, Sender } from './sender';
import type { OAuth2Tokens } from './oauth2-tokens';

/** The headers with `Authorization: Bearer <token>`, in place of any other Authorization header. */
function withBearer(headers: Record<string, string>, token: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (name.toLowerCase() !== 'authorization') out[name] = value;
  out.authorization = `Bearer ${token}`;
  return out;
}

/**
 * Sends one attempt as the endpoint's authentication asks: over a connection presenting its
 * client certificate, or with an OAuth 2.0 bearer token. A receiver answering 401 to a token
 * gets one more request, within the same attempt, with a token asked for anew (the one it
 * refused may have been revoked or rotated before it expired); no token at all is an
 * `auth_token` failure of the attempt.
 */
export async function sendAuthenticated(
  sender: Sender,
  tokens: OAuth2Tokens,
  endpoint: StoredEndpoint,
  headers: Record<string, string>,
  body: string,
): Promise<AttemptOutcome> {
  const { auth, url } = endpoint;
  if (!auth) return sender.send(url, headers, body);
  if (auth.type === 'client_certificate') {
    const { revision, certificate, key } = auth;
    return sender.send(url, headers, body, { endpointId: endpoint.id, revision, certificate, key });
  }
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  const first = await tokens.token(endpoint.id, auth);
  if (!first.ok) return { kind: 'auth_token', message: first.message, durationMs: elapsed() };
  const outcome = await sender.send(url, withBearer(headers, first.token), body);
  if (outcome.kind !== 'http_error' || outcome.status !== 401) return outcome;
  const again = await tokens.token(endpoint.id, auth, first.token);
  if (!again.ok) return { kind: 'auth_token', message: again.message, durationMs: elapsed() };
  const retried = await sender.send(url, withBearer(headers, again.token), body);
  return { ...retried, durationMs: elapsed() };
}
