import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { EndpointPatch } from '@hookline/api';
import { deliveryIdFor } from '@hookline/core';
import { makeTestPki, type Pem, type TestPki } from '@hookline/core/testing-tls';
import { FAST_SENDER, Harness } from './harness';

// Mutual TLS against a real HTTPS receiver on 127.0.0.1 that requires a client certificate from
// the test's CA. The dispatcher trusts that CA for the receiver's own certificate through the
// sender's `ca` option; nothing turns certificate checks off.

let h: Harness;
let pki: TestPki;
let server: Server;
let url: string;
/** The subject CN of each client certificate the receiver accepted a request with. */
const accepted: string[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  h = await Harness.create();
  server = createServer(
    {
      cert: pki.server.certificate,
      key: pki.server.key,
      ca: pki.ca.certificate,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      req.resume();
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        accepted.push(String(peer.subject.CN));
        res.writeHead(204).end();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `https://localhost:${typeof address === 'object' && address ? address.port : 0}/hooks`;
  h.startDispatcher({
    sender: { ...FAST_SENDER, ca: pki.ca.certificate },
    resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
  });
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => server.close(resolve));
});

const certificateAuth = (pem: Pem) => ({ type: 'client_certificate', ...pem });

async function deliverOnce(endpointId: string) {
  const event = await h.publish([endpointId]);
  const id = deliveryIdFor(event.event.id, endpointId);
  return h.waitForDelivery(id, (d) => d.status === 'delivered' || d.status === 'dead');
}

test('a delivery presents the client certificate and is delivered', async () => {
  const ep = await h.createEndpoint({ url, auth: certificateAuth(pki.client) });
  const delivery = await deliverOnce(ep.id);
  expect(delivery.status).toBe('delivered');
  expect(delivery.attempts.map((a) => a.status_code)).toEqual([204]);
  expect(accepted).toContain('hookline-dispatcher');
});

test('a certificate from a CA the receiver does not trust fails every attempt as tls_client_certificate', async () => {
  const ep = await h.createEndpoint({ url, auth: certificateAuth(pki.otherClient) });
  const delivery = await deliverOnce(ep.id);
  expect(delivery.status).toBe('dead');
  expect(delivery.attempts.map((a) => a.error)).toEqual([
    'tls_client_certificate',
    'tls_client_certificate',
    'tls_client_certificate',
  ]);
  expect(accepted).not.toContain('intruder');
});

test('no certificate, to a receiver that requires one, fails every attempt as tls_client_certificate', async () => {
  const ep = await h.createEndpoint({ url });
  const delivery = await deliverOnce(ep.id);
  expect(delivery.status).toBe('dead');
  expect(delivery.attempts.map((a) => a.error)).toEqual([
    'tls_client_certificate',
    'tls_client_certificate',
    'tls_client_certificate',
  ]);
});

test('a certificate changed through the API is the one the next attempt presents', async () => {
  const ep = await h.createEndpoint({ url, auth: certificateAuth(pki.otherClient) });
  expect((await deliverOnce(ep.id)).status).toBe('dead');
  await h.api.endpoints.update(ep.id, EndpointPatch.parse({ auth: certificateAuth(pki.client) }));
  const delivery = await deliverOnce(ep.id);
  expect(delivery.status).toBe('delivered');
  expect(delivery.attempts.map((a) => a.status_code)).toEqual([204]);
});
