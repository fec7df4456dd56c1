import { BlockList, isIP } from 'node:net';

export interface UrlPolicyOptions {
  /** `HOOKLINE_ALLOW_INSECURE_URLS`: allow http://, IP literals, localhost and private addresses. */
  allowInsecure: boolean;
}

const MAX_URL_LENGTH = 2048;

/**
 * Checks an endpoint URL when it is registered. Returns why it is refused, or `undefined`.
 * The delivery-time check of the resolved addresses is {@link isBlockedAddress}: a name that
 * passes here may still resolve to a private address later.
 */
export function checkEndpointUrl(text: string, options: UrlPolicyOptions): string | undefined {
  if (text.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  // The URL parser would trim these silently, and the stored URL would keep them.
  if (text !== text.trim()) return 'must not start or end with whitespace';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol !== 'https:' && !(options.allowInsecure && url.protocol === 'http:')) {
    return options.allowInsecure ? 'must be an http:// or https:// URL' : 'must be an https:// URL';
  }
  if (url.hash) return 'must not contain a fragment';
  if (options.allowInsecure) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return 'must use a host name, not an IP address';
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) return 'must not point at localhost';
  if (!lower.includes('.')) return 'must use a fully qualified host name';
  return undefined;
}

// Addresses no webhook may reach unless insecure URLs are allowed: RFC 6890 special-purpose
// ranges that lead into the operator's own network or nowhere.
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated)
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const match = /^(?:::ffff:(?:0:)?|64:ff9b::)(.+)$/.exec(lower);
  if (!match) return undefined;
  const tail = match[1]!;
  if (isIP(tail) === 4) return tail;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(tail);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * Whether a resolved address is one Hookline must not connect to: loopback, private,
 * link-local, CGNAT, multicast, unspecified and reserved ranges, IPv4 and IPv6, including
 * IPv4 addresses wrapped in IPv6. Anything that is not an IP address at all is blocked too.
 */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return blocked.check(v4, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}
