import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isBlockedAddress } from '@hookline/core';

/** Resolves a host name to its addresses (injectable so tests can point names at 127.0.0.1). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** The error a refused address fails the connection with; the sender maps it to `ssrf_blocked`. */
export class SsrfBlockedError extends Error {
  readonly code = 'HOOKLINE_SSRF_BLOCKED';
  constructor(hostname: string) {
    super(`${hostname} resolves only to addresses Hookline may not connect to`);
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/tls.connect that resolves the name, drops every blocked address, and hands
 * the socket only the addresses it checked: the connection goes to an address that passed the
 * policy, so a DNS answer that changes between a check and the connect cannot slip through
 * (there is no second resolution). With `allowInsecure`, nothing is dropped.
 */
export function guardedLookup(resolver: Resolver, allowInsecure: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolver(hostname).then(
      (addresses) => {
        const family = typeof options.family === 'number' ? options.family : 0;
        const allowed = addresses.filter(
          (a) =>
            (family === 0 || a.family === family) &&
            (allowInsecure || !isBlockedAddress(a.address)),
        );
        if (allowed.length === 0) {
          callback(
            addresses.length > 0
              ? new SsrfBlockedError(hostname)
              : Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
          );
          return;
        }
        if (options.all) callback(null, allowed);
        else callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
