/** NATS's client port, when a server URL names none. */
const DEFAULT_PORT = 4222;

/** One NATS server of an endpoint's URL, as the connection needs it. */
export interface NatsServer {
  /** The host as written (a name, or an IP address without brackets): TLS verifies against it. */
  host: string;
  port: number;
  /** `tls://`: the connection must be encrypted; `nats://`: plain. */
  tls: boolean;
  /** `user:password@` is a user and password, a lone `token@` a token (NATS's URL convention). */
  credentials: { user: string; pass: string } | { token: string } | null;
}

/**
 * Reads one server URL (`tls://user:password@host:4222`, `nats://token@host`). Its credentials
 * leave the URL here: nats.js gets them as options and the server as an address alone, so they
 * never sit in a server name it may log or report.
 */
export function parseServerUrl(text: string): NatsServer {
  const url = new URL(text.trim());
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || DEFAULT_PORT,
    tls: url.protocol === 'tls:',
    credentials: pass !== '' ? { user, pass } : user !== '' ? { token: user } : null,
  };
}
