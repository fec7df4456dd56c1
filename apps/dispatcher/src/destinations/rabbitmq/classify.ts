import { TLS_CODES } from '../http/sender';
import type { PublishError } from './outcome';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);

/**
 * How amqplib reports the broker refusing the connection's credentials: 403 ACCESS_REFUSED for
 * the login (`Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED -
 * Login was refused …"`), and for a virtual host the user may not open (530 NOT_ALLOWED) a close
 * in answer to connection.open, whose reply it does not quote.
 */
const CREDENTIALS_REFUSED =
  /ACCESS.REFUSED|NOT_ALLOWED|^Expected ConnectionOpenOk; got <ConnectionClose/;

/** The broker's own reply text in an amqplib error (`… with message "NOT_FOUND - no exchange …"`). */
export function replyText(message: string): string {
  return /with message "(.*)"/s.exec(message)?.[1] ?? message;
}

/**
 * The text with the broker URL's credentials taken out. amqplib's errors do not quote the URL
 * today, but a message is only ever kept, logged or traced through here, so that no version of
 * it (nor of Node's) can leak the password.
 */
export function scrub(text: string, brokerUrl: string): string {
  let url: URL;
  try {
    url = new URL(brokerUrl);
  } catch {
    return text.split(brokerUrl).join('<broker url>');
  }
  let out = text.split(brokerUrl).join('<broker url>');
  const { password } = url;
  if (password) {
    for (const form of new Set([password, safeDecode(password)]))
      if (form) out = out.split(form).join('***');
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Why connecting to the broker failed, as an attempt error. */
export function classifyConnectError(error: unknown): { kind: PublishError; message: string } {
  const err = error as { code?: unknown; message?: string };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = err.message ?? String(error);
  if (code === 'HOOKLINE_SSRF_BLOCKED') return { kind: 'ssrf_blocked', message };
  if (DNS_CODES.has(code)) return { kind: 'dns', message };
  if (TLS_CODES.test(code)) return { kind: 'tls', message };
  // amqplib's own connect time limit fails with this message and no code.
  if (code === 'ETIMEDOUT' || message === 'connect ETIMEDOUT') return { kind: 'timeout', message };
  if (CREDENTIALS_REFUSED.test(message)) return { kind: 'broker_auth', message };
  return { kind: 'connection', message };
}
