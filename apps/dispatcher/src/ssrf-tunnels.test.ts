import type { LookupAddress } from 'node:dns';
import { isBlockedAddress } from '@hookline/core';
import { guardedLookup, SsrfBlockedError, type Resolver } from './ssrf-lookup';

// No request is sent: a resolver of the test's own answers, and the lookup's verdict is checked.

// 6to4 (RFC 3056): 2002:AABB:CCDD::/48 carries the IPv4 address AA.BB.CC.DD in bits 16-48.
const SIX_TO_FOUR_BLOCKED = [
  ['2002:7f00:1::', '127.0.0.1'],
  ['2002:7f00:0001:0000:0000:0000:0000:0001', '127.0.0.1'],
  ['2002:a00:1::1', '10.0.0.1'],
  ['2002:a9fe:a9fe::', '169.254.169.254'],
  ['2002:c0a8:101:1::1', '192.168.1.1'],
  ['2002:6440:1::', '100.64.0.1'],
  ['2002::', '0.0.0.0'],
  ['2002:e000:1::', '224.0.0.1'],
] as const;

// Teredo (RFC 4380): 2001:0:<server>:<flags>:<port>:<client>, the client's IPv4 address XOR
// 0xffffffff in the last 32 bits.
const TEREDO_BLOCKED = [
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'],
  ['2001:0000:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'],
  ['2001::80ff:fffe', '127.0.0.1'],
  ['2001:0:4136:e378:8000:63bf:5601:5601', '169.254.169.254'],
  ['2001:0:4136:e378:8000:63bf:f5ff:fffe', '10.0.0.1'],
  ['2001:0:4136:e378:8000:63bf:3f57:fefe', '192.168.1.1'],
] as const;

// The wrappings checked before these two, written every way an address can be.
const OTHER_WRAPPINGS_BLOCKED = [
  ['::ffff:127.0.0.1', '127.0.0.1'],
  ['::ffff:7f00:1', '127.0.0.1'],
  ['0:0:0:0:0:ffff:a00:1', '10.0.0.1'],
  ['::ffff:0:a9fe:a9fe', '169.254.169.254'],
  ['64:ff9b::10.0.0.1', '10.0.0.1'],
  ['64:ff9b::c0a8:101', '192.168.1.1'],
  ['::7f00:1', '127.0.0.1'],
] as const;

const PUBLIC = [
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1', // 6to4 of 8.8.8.8
  '2002:5db8:d822::', // 6to4 of 93.184.216.34
  '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo, client 8.8.8.8
  '2001:0:4136:e378:8000:63bf:a247:27dd', // Teredo, client 93.184.216.34
  '2001:4860:4860::8888', // in 2001::/16 but not Teredo (2001::/32)
];

test.each([...SIX_TO_FOUR_BLOCKED, ...TEREDO_BLOCKED, ...OTHER_WRAPPINGS_BLOCKED])(
  '%s is blocked as the %s inside it is',
  (address, inner) => {
    expect(isBlockedAddress(inner)).toBe(true);
    expect(isBlockedAddress(address)).toBe(true);
  },
);

test.each(PUBLIC)('%s, wrapping a public address or none, is not blocked', (address) => {
  expect(isBlockedAddress(address)).toBe(false);
});

function lookup(addresses: LookupAddress[]) {
  const resolver: Resolver = () => Promise.resolve(addresses);
  return new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) =>
    guardedLookup(resolver, false)('hooks.example.com', { all: true }, (error, address) =>
      resolve({ error, address }),
    ),
  );
}

test('a name that resolves only to tunnelled private addresses is refused at delivery', async () => {
  const { error } = await lookup([
    { address: '2002:7f00:1::', family: 6 },
    { address: '2001:0:4136:e378:8000:63bf:5601:5601', family: 6 },
  ]);
  expect(error).toBeInstanceOf(SsrfBlockedError);
});

test('the lookup drops tunnelled private addresses and keeps the public ones', async () => {
  const { error, address } = await lookup([
    { address: '2002:a00:1::1', family: 6 },
    { address: '2002:808:808::1', family: 6 },
    { address: '2001:0:4136:e378:8000:63bf:80ff:fffe', family: 6 },
  ]);
  expect(error).toBeNull();
  expect(address).toEqual([{ address: '2002:808:808::1', family: 6 }]);
});

test('with insecure URLs allowed nothing is dropped', async () => {
  const addresses = [{ address: '2002:7f00:1::', family: 6 }];
  const allowed = await new Promise((resolve) =>
    guardedLookup(() => Promise.resolve(addresses), true)('h', { all: true }, (_e, address) =>
      resolve(address),
    ),
  );
  expect(allowed).toEqual(addresses);
});
