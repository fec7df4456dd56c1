import { isIP, type LookupFunction } from 'node:net';
import { isBlockedAddress, type StoredEndpoint } from '@hookline/core';
import { SsrfBlockedError } from '../../ssrf-lookup';
import { BrokerLink } from './broker-link';
import { returnKeyOf } from './publish';

export interface BrokerLinksOptions {
  connectTimeoutMs: number;
  allowInsecure: boolean;
  lookup: LookupFunction;
  ca?: string | undefined;
}

/** The broker links of every endpoint in use, by endpoint id. */
export class BrokerLinks {
  private readonly byEndpoint = new Map<string, BrokerLink>();

  constructor(private readonly options: BrokerLinksOptions) {}

  /** The endpoint's link; a new one (the old one closed) when its broker URL changed. */
  of(endpoint: StoredEndpoint): BrokerLink {
    const brokerUrl = endpoint.broker_url ?? '';
    const held = this.byEndpoint.get(endpoint.id);
    if (held?.brokerUrl === brokerUrl) return held;
    if (held) void held.close();
    const link = new BrokerLink(
      brokerUrl,
      {
        connectTimeoutMs: this.options.connectTimeoutMs,
        lookup: this.options.lookup,
        ca: this.options.ca,
        connectionName: `hookline endpoint ${endpoint.id}`,
        check: () => this.check(brokerUrl),
      },
      returnKeyOf,
    );
    this.byEndpoint.set(endpoint.id, link);
    return link;
  }

  /**
   * Throws what connecting to the URL must fail with before any socket is opened: an IP literal
   * never reaches the guarded lookup, so it is checked here the same way.
   */
  private check(brokerUrl: string): void {
    let host: string;
    try {
      host = new URL(brokerUrl).hostname.replace(/^\[|\]$/g, '');
    } catch {
      throw new Error('the endpoint has no valid broker URL');
    }
    if (!this.options.allowInsecure && isIP(host) !== 0 && isBlockedAddress(host))
      throw new SsrfBlockedError(host);
  }

  forget(endpointId: string): void {
    const held = this.byEndpoint.get(endpointId);
    this.byEndpoint.delete(endpointId);
    if (held) void held.close();
  }

  async close(): Promise<void> {
    const all = [...this.byEndpoint.values()];
    this.byEndpoint.clear();
    await Promise.all(all.map((link) => link.close()));
  }
}
