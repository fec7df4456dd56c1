import { buildConnector } from 'undici';

// The TLS alerts (RFC 8446 §6.2) by which a receiver refuses the client's certificate, or asks
// for one it did not get, as OpenSSL names them: `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`,
// `ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE`, `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, …
export const CLIENT_CERTIFICATE_ALERTS =
  /^ERR_SSL_(TLSV13|TLSV1|SSLV3)_ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED)$/;

/** How long an alert is kept for the request that failed with it (it fails at once). */
const KEPT_MS = 10_000;

/**
 * In TLS 1.3 the client's handshake is over before the server has checked the client's
 * certificate: its refusal comes as an alert on the first read, and undici then fails the
 * request as `other side closed` (UND_ERR_SOCKET), dropping the alert the socket emitted just
 * before (undici 7). This connector keeps each connection's certificate alert by its local port,
 * which undici's error names, so that the attempt says why.
 */
export class TlsAlerts {
  private readonly byPort = new Map<number, string>();

  connector(options: buildConnector.BuildOptions): buildConnector.connector {
    const connect = buildConnector(options);
    return (target, callback) =>
      connect(target, (...args) => {
        const socket = args[1];
        if (socket) {
          const port = socket.localPort;
          socket.on('error', (error: NodeJS.ErrnoException) => {
            if (port === undefined || !CLIENT_CERTIFICATE_ALERTS.test(error.code ?? '')) return;
            this.byPort.set(port, error.code!);
            setTimeout(() => this.byPort.delete(port), KEPT_MS).unref();
          });
        }
        callback(...args);
      });
  }

  /** The certificate alert of the connection a request failed on, from undici's error. */
  of(error: unknown): string | undefined {
    const port = (error as { socket?: { localPort?: number } } | null)?.socket?.localPort;
    return port === undefined ? undefined : this.byPort.get(port);
  }
}
