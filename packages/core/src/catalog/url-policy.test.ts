import { hostname } from 'node:os';
import { checkEndpointUrl, type UrlPolicyOptions } from './url-policy';

const secure: UrlPolicyOptions = { allowInsecure: false, ownHostNames: ['worker-7.cluster.test'] };
const insecure: UrlPolicyOptions = { ...secure, allowInsecure: true };

test.each([
  'https://example.com/hooks',
  'https://example.com./hooks',
  'https://Example.COM:8443/hooks?x=1',
  'HTTPS://example.com',
  'https://a_b.example.com/',
  'https://xn--bcher-kva.de/',
  'https://bücher.de/',
  'https://a-b.example.com/',
])('accepts %j', (url) => {
  expect(checkEndpointUrl(url, secure)).toBeUndefined();
  expect(checkEndpointUrl(url, insecure)).toBeUndefined();
});

// The URL parser drops tabs and newlines wherever they are, so what would be stored is not where
// deliveries would go; other control characters it escapes or refuses.
test.each([
  'https://exa\nmple.com/hooks',
  'https://example.com/a\tb',
  'https://example.com/a\rb',
  'https://example.com/a\r\nb',
  'https://example.com/\u0000',
  'https://example.com/\u007f',
  'https://example.com/\u001b[0m',
])('refuses control characters in %j, insecure URLs allowed or not', (url) => {
  expect(checkEndpointUrl(url, secure)).toMatch(/control character/);
  expect(checkEndpointUrl(url, insecure)).toMatch(/control character/);
});

test.each(['https://:@example.com/', 'https://@example.com/', 'https://user@example.com/'])(
  'refuses userinfo, even empty, in %j',
  (url) => {
    expect(checkEndpointUrl(url, secure)).toMatch(/credentials/);
    expect(checkEndpointUrl(url, insecure)).toMatch(/credentials/);
  },
);

test.each([
  'https:example.com',
  'https:/example.com',
  'https:\\\\example.com',
  'https:///example.com',
])('refuses %j, which the parser reads as https://example.com', (url) => {
  expect(checkEndpointUrl(url, secure)).toMatch(/scheme:\/\/host/);
  expect(checkEndpointUrl(url, insecure)).toMatch(/scheme:\/\/host/);
});

test.each([
  'https://a..b.com/',
  'https://.example.com/',
  'https://-a.example.com/',
  'https://a-.example.com/',
  'https://*.example.com/',
  'https://a.*/',
  'https://example.com../',
  `https://${'a'.repeat(64)}.example.com/`,
])('refuses the host name of %j', (url) => {
  expect(checkEndpointUrl(url, secure)).toMatch(/host name/);
  expect(checkEndpointUrl(url, insecure)).toMatch(/host name/);
});

test.each(['https://example.com:0/', 'http://127.0.0.1:0/'])('refuses port 0 in %j', (url) => {
  expect(checkEndpointUrl(url, insecure)).toMatch(/port/);
});

test.each([
  'https://localhost/',
  'https://localhost./',
  'https://localhost../',
  'https://LOCALHOST.localdomain/',
  'https://localhost.localdomain./',
  'https://api.localhost/',
  'https://worker-7.cluster.test/',
  'https://Worker-7.Cluster.Test./x',
])('refuses %j unless insecure URLs are allowed', (url) => {
  expect(checkEndpointUrl(url, secure)).toMatch(/localhost|this machine/);
});

test.each([
  'https://localhost/',
  'https://localhost.localdomain/',
  'http://worker-7.cluster.test/',
])('accepts %j when insecure URLs are allowed', (url) => {
  expect(checkEndpointUrl(url, insecure)).toBeUndefined();
});

test("the machine's own name is refused by default", () => {
  const own = `https://${hostname()}/hooks`;
  expect(checkEndpointUrl(own, { allowInsecure: false })).toBeDefined();
});
