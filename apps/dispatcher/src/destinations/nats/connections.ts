import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { isBlockedAddress, serverUrls } from '@hookline/core';
import { connect, type ConnectionOptions, type JetStreamClient, type NatsConnection } from 'nats';
import { guardedLookup, SsrfBlockedError, systemResolver, type Resolver } from '../../ssrf-lookup';
import { parseServerUrl, type NatsServer } from './server-url';

export interface NatsConnectionsOptions {
  /** Time to connect to one server address (TCP, TLS, the NATS handshake). Default 5 s. */
  connectTimeoutMs?: number;
  /** `HOOKLINE_ALLOW_INSECURE_URLS`. */
  allowInsecure: boolean;
  /** Name resolution; the system resolver by default. */
  resolve?: Resolver;
  /** The certificate authorities to trust in place of Node's list (tests); unset in production. */
  ca?: string;
}

/** An endpoint's open connection and the JetStream client publishing on it. */
export interface HeldConnection {
  connection: NatsConnection;
  jetstream: JetStreamClient;
}

/** An endpoint's connection, kept for the broker URL it was made for. */
interface Entry {
  brokerUrl: string;
  connecting: Promise<HeldConnection>;
}

// How often an idle connection is checked, and how many unanswered checks close it: a server that
// vanished without closing the socket is noticed in about half a minute, not nats.js's 4 minutes.
const PING_INTERVAL_MS = 10_000;
const MAX_PINGS_OUT = 2;

/**
 * One NATS connection per endpoint, made on its first attempt and reused by the next ones.
 *
 * Every address connected to passed the SSRF policy: nats.js's Node transport dials with
 * `net.createConnection(port, host)` and resolves names with its own `dns.resolve4/6`, neither
 * of which takes a `lookup`. So each server's name is resolved here, through the dispatcher's
 * guarded lookup, and nats.js gets the checked address only (`resolve: false`), with the name
 * kept as the TLS server name to verify. `ignoreClusterUpdates` keeps it from adding servers the
 * cluster announces, which no policy checked.
 *
 * A connection that drops is not reconnected by nats.js (`reconnect: false`): it closes, and the
 * endpoint's next attempt makes a new one, resolving and checking its addresses again. Hookline's
 * retry schedule is the one retry loop; a reconnect loop inside nats.js would hold publishes in
 * its buffer past their attempt's time limit and keep dialling an address whose name may since
 * resolve elsewhere.
 */
export class NatsConnections {
  private readonly entries = new Map<string, Entry>();
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(private readonly options: NatsConnectionsOptions) {
    this.lookup = guardedLookup(options.resolve ?? systemResolver, options.allowInsecure);
  }

  /** The endpoint's connection for `brokerUrl`; a new one when the URL changed. Rejects when none can be made. */
  of(endpointId: string, brokerUrl: string): Promise<HeldConnection> {
    const current = this.entries.get(endpointId);
    if (current?.brokerUrl === brokerUrl) return current.connecting;
    if (current) this.forget(endpointId);
    const entry: Entry = { brokerUrl, connecting: this.open(brokerUrl) };
    this.entries.set(endpointId, entry);
    const drop = () => {
      if (this.entries.get(endpointId) === entry) this.entries.delete(endpointId);
    };
    // A failed connect is not kept: the next attempt tries again. A connection that closes
    // (server gone, drained) leaves the pool the same way.
    entry.connecting.then((held) => void held.connection.closed().then(drop, drop), drop);
    return entry.connecting;
  }

  /** Closes the endpoint's connection once the publishes it carries are answered. */
  forget(endpointId: string): void {
    const entry = this.entries.get(endpointId);
    if (!entry) return;
    this.entries.delete(endpointId);
    void entry.connecting.then(drain, () => undefined);
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((entry) => entry.connecting.then(drain, () => undefined)));
  }

  /** Connects to the first server of the list that answers; rejects with the last failure. */
  private async open(brokerUrl: string): Promise<HeldConnection> {
    let lastError: unknown = new Error('no server to connect to');
    for (const text of serverUrls(brokerUrl)) {
      try {
        const server = parseServerUrl(text);
        for (const address of await this.addressesOf(server.host)) {
          try {
            const connection = await connect(this.connectionOptions(server, address));
            return { connection, jetstream: connection.jetstream() };
          } catch (error) {
            lastError = error;
          }
        }
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The addresses of a server's host that the policy allows (an IP literal is checked as it is). */
  private async addressesOf(host: string): Promise<string[]> {
    if (isIP(host) !== 0) {
      if (!this.options.allowInsecure && isBlockedAddress(host)) throw new SsrfBlockedError(host);
      return [host];
    }
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      this.lookup(host, { all: true }, (error, found) =>
        error ? reject(error) : resolve(found as LookupAddress[]),
      ),
    );
    return addresses.map((a) => a.address);
  }

  private connectionOptions(server: NatsServer, address: string): ConnectionOptions {
    return {
      servers: `${isIP(address) === 6 ? `[${address}]` : address}:${server.port}`,
      ...server.credentials,
      name: 'hookline',
      timeout: this.options.connectTimeoutMs ?? 5_000,
      reconnect: false,
      ignoreClusterUpdates: true,
      resolve: false,
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: MAX_PINGS_OUT,
      ...(server.tls ? { tls: tlsOptions(server.host, this.options.ca) } : {}),
    };
  }
}

/**
 * TLS required, verified against the host name written in the URL although the socket was opened
 * to an address. nats.js 2.29.3 (pinned) spreads `tls` over the options it gives `tls.connect`
 * (node_transport.js `startTLS`), after its own `servername` (empty for an address): so a
 * `servername` here is what the certificate is checked against. Not in its `TlsOptions` type.
 * An IP literal gets none: Node refuses an IP as a server name and checks the certificate
 * against the address the socket went to.
 */
function tlsOptions(host: string, ca: string | undefined): NonNullable<ConnectionOptions['tls']> {
  const options: Record<string, unknown> = {};
  if (isIP(host) === 0) options.servername = host;
  if (ca !== undefined) options.ca = ca;
  return options;
}

const drain = (held: HeldConnection): Promise<void> =>
  held.connection.drain().catch(() => held.connection.close().catch(() => undefined));
