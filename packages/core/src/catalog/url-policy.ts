import { BlockList, isIP } from 'node:net';
import { hostname } from 'node:os';
import type { EndpointType } from '@hookline/api';
import { serverUrls } from './broker-url';

export interface UrlPolicyOptions {
  /** `HOOKLINE_ALLOW_INSECURE_URLS`: allow http://, IP literals, localhost and private addresses. */
  allowInsecure: boolean;
  /** The names of the machine Hookline runs on, refused as localhost is. Default `[os.hostname()]`. */
  ownHostNames?: readonly string[];
}

const MAX_URL_LENGTH = 2048;

// The URL parser drops tabs and newlines wherever they are and escapes the other controls, so a
// stored URL holding one is not the one deliveries go to (`/a\tb` is delivered to `/ab`).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

// A scheme, `//` and the authority, up to where the path starts. The parser reads `https:host`,
// `https:/host` and `https:\\host` as `https://host`; a URL is stored as written, so it must be
// written the way every reader of it reads it.
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/\\?#]*)/i;

// A DNS label as RFC 1123 has it (letters, digits, inner hyphens, at most 63), plus the
// underscore, which real host names carry. The parser lets `*`, empty labels and edge hyphens
// through; no resolver finds such a name.
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const MAX_HOST_LENGTH = 253;

/** Names that are the machine itself wherever Hookline runs (RFC 6761 and common /etc/hosts). */
const LOCALHOST_NAMES = new Set(['localhost', 'localhost.localdomain', 'localhost6.localdomain6']);

/** A host name as a resolver compares it: lower case, without the root's trailing dots. */
function bareName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

/** Why a host name that is not an IP address is refused, or `undefined`. */
function checkHostName(host: string, options: UrlPolicyOptions): string | undefined {
  const bare = bareName(host);
  if (!options.allowInsecure) {
    if (LOCALHOST_NAMES.has(bare) || bare.endsWith('.localhost')) {
      return 'must not point at localhost';
    }
    const own = options.ownHostNames ?? [hostname()];
    if (own.some((name) => bareName(name) === bare)) return 'must not point at this machine';
  }
  // One trailing dot names the root; the parser has already turned the name into ASCII.
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > MAX_HOST_LENGTH || !name.split('.').every((label) => LABEL.test(label))) {
    return 'must have a valid host name (labels of letters, digits and inner hyphens)';
  }
  if (!options.allowInsecure && !name.includes('.')) return 'must use a fully qualified host name';
  return undefined;
}

/** The schemes an endpoint type's URLs use: the secure one, and the plain one insecure URLs allow. */
const SCHEMES: Record<EndpointType, { secure: string; plain: string }> = {
  http: { secure: 'https:', plain: 'http:' },
  rabbitmq: { secure: 'amqps:', plain: 'amqp:' },
  nats: { secure: 'tls:', plain: 'nats:' },
};

/** Why one URL is refused for an endpoint of `type`, or `undefined`. */
function checkUrl(text: string, type: EndpointType, options: UrlPolicyOptions): string | undefined {
  if (text.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  // The URL parser would trim these silently, and the stored URL would keep them.
  if (text !== text.trim()) return 'must not start or end with whitespace';
  if (CONTROL_CHARACTER.test(text)) return 'must not contain control characters';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  const { secure, plain } = SCHEMES[type];
  if (url.protocol !== secure && !(options.allowInsecure && url.protocol === plain)) {
    return options.allowInsecure
      ? `must be a ${plain}// or ${secure}// URL`
      : `must be a ${secure}// URL`;
  }
  const authority = AUTHORITY.exec(text)?.[1];
  if (!authority) return 'must be written as scheme://host';
  // A webhook's URL carries no credentials (`https://:@host` parses to an empty user and
  // password, which the parser then drops); a broker's carries its user and password.
  if (type === 'http' && (url.username || url.password || authority.includes('@'))) {
    return 'must not contain credentials';
  }
  if (url.hash) return 'must not contain a fragment';
  if (type === 'nats' && (url.pathname || url.search)) {
    return 'must be written as scheme://[credentials@]host[:port], without a path or query';
  }
  if (url.port === '0') return 'must not use port 0';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return 'must name a host';
  if (isIP(host) !== 0) {
    return options.allowInsecure ? undefined : 'must use a host name, not an IP address';
  }
  return checkHostName(url.hostname, options);
}

/**
 * Checks an endpoint URL when it is registered. Returns why it is refused, or `undefined`.
 * The delivery-time check of the resolved addresses is {@link isBlockedAddress}: a name that
 * passes here may still resolve to a private address later.
 */
export function checkEndpointUrl(text: string, options: UrlPolicyOptions): string | undefined {
  return checkUrl(text, 'http', options);
}

/** At most this many servers in a NATS endpoint's URL. */
const MAX_SERVERS = 8;

/**
 * Checks an endpoint's URL under its type's rules: a webhook's (`https://`), a RabbitMQ broker's
 * (`amqps://`) or NATS servers' (`tls://`, comma-separated), each with the same host rules, and
 * the plain scheme where insecure URLs are allowed. Returns why it is refused, or `undefined`.
 */
export function checkDestinationUrl(
  type: EndpointType,
  text: string,
  options: UrlPolicyOptions,
): string | undefined {
  if (type === 'http') return checkEndpointUrl(text, options);
  if (text.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  const servers = type === 'nats' ? serverUrls(text) : [text];
  if (servers.length > MAX_SERVERS) return `must name at most ${MAX_SERVERS} servers`;
  for (const server of servers) {
    const problem = checkUrl(server, type, options);
    if (problem)
      return servers.length > 1 ? `${server.replace(/\/\/.*@/, '//')}: ${problem}` : problem;
  }
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

type Ipv6Groups = [number, number, number, number, number, number, number, number];

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail in two). */
function ipv6Groups(address: string): Ipv6Groups {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : [];
  const [head, tail] = text.split('::');
  const front = groups(head);
  const back = groups(tail);
  return [
    ...front,
    ...Array<number>(8 - front.length - back.length).fill(0),
    ...back,
  ] as Ipv6Groups;
}

const dottedQuad = (high: number, low: number) =>
  `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 address an IPv6 address carries, where a host or a relay on the way would reach that
 * IPv4 address: IPv4-mapped (`::ffff:0:0/96`) and IPv4-translated (`::ffff:0:0:0/96`), NAT64
 * (`64:ff9b::/96`), 6to4 (`2002::/16`, RFC 3056: bits 16-48) and Teredo (`2001::/32`, RFC 4380:
 * the client's address XOR 0xffffffff in the last 32 bits).
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const zero = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  const [g0, g1, g2, , g4, g5, g6, g7] = g;
  if (zero(0, 5) && g5 === 0xffff) return dottedQuad(g6, g7);
  if (zero(0, 4) && g4 === 0xffff && g5 === 0) return dottedQuad(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && zero(2, 6)) return dottedQuad(g6, g7);
  if (g0 === 0x2002) return dottedQuad(g1, g2);
  if (g0 === 0x2001 && g1 === 0) return dottedQuad(g6 ^ 0xffff, g7 ^ 0xffff);
  return undefined;
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
