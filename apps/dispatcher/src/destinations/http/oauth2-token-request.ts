import type { StoredEndpointAuth } from '@hookline/core';
import { request, type Agent } from 'undici';
import { readBounded } from './sender';

export type OAuth2Auth = Extract<StoredEndpointAuth, { type: 'oauth2_client_credentials' }>;

/** A token as the authorization server gave it: `lifetimeMs` from its `expires_in`. */
export type TokenAnswer =
  { ok: true; token: string; lifetimeMs: number } | { ok: false; message: string };

/** A token that says nothing of its lifetime is used this long (RFC 6749 leaves it to the server). */
const DEFAULT_LIFETIME_MS = 60_000;

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they go into HTTP Basic. */
const formEncode = (text: string) => new URLSearchParams({ x: text }).toString().slice(2);

/**
 * Asks the token endpoint for a token with the client credentials grant (RFC 6749 §4.4),
 * authenticating with HTTP Basic (`client_secret_basic`, which every server must accept). What
 * went wrong is told without the secret: the status and the server's `error`, or the network
 * error.
 */
export async function requestToken(
  auth: OAuth2Auth,
  agent: Agent,
  timeoutMs: number,
): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope !== null) form.set('scope', auth.scope);
  if (auth.audience !== null) form.set('audience', auth.audience);
  const basic = Buffer.from(
    `${formEncode(auth.client_id)}:${formEncode(auth.client_secret)}`,
  ).toString('base64');
  let status: number;
  let text: string;
  try {
    const response = await request(auth.token_url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${basic}`,
      },
      body: form.toString(),
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.statusCode;
    text = await readBounded(response.body);
  } catch (error) {
    const err = error as { code?: string; message?: string; name?: string };
    const why = err.name === 'TimeoutError' ? 'timed out' : (err.code ?? err.message ?? 'failed');
    return { ok: false, message: `the token request failed: ${why}` };
  }
  let answer: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    answer =
      typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { ok: false, message: `the token endpoint answered ${status}, not JSON` };
  }
  if (status < 200 || status >= 300) {
    const code = typeof answer.error === 'string' ? `: ${answer.error.slice(0, 100)}` : '';
    return { ok: false, message: `the token endpoint answered ${status}${code}` };
  }
  const token = answer.access_token;
  if (typeof token !== 'string' || token.length === 0 || /[^\x21-\x7e]/.test(token))
    return { ok: false, message: 'the token endpoint answered no usable access_token' };
  if (typeof answer.token_type === 'string' && answer.token_type.toLowerCase() !== 'bearer')
    return {
      ok: false,
      message: `the token endpoint answered a ${answer.token_type.slice(0, 20)} token, not a bearer token`,
    };
  // `expires_in` is seconds, a number; some servers send it as a string.
  const seconds = Number(answer.expires_in);
  const lifetimeMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_LIFETIME_MS;
  return { ok: true, token, lifetimeMs };
}
