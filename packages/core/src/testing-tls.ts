import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Certificates for Hookline's own tests, made with the `openssl` CLI in a temporary folder: a CA,
// a server certificate for localhost and 127.0.0.1, client certificates it signed, and a second
// CA whose certificates no server of the test trusts.

export interface Pem {
  certificate: string;
  key: string;
}

export interface TestPki {
  ca: Pem;
  /** For `localhost` and `127.0.0.1`, signed by `ca`. */
  server: Pem;
  /** Signed by `ca`. */
  client: Pem;
  /** A CA the test's servers do not trust, and a client certificate it signed. */
  otherCa: Pem;
  otherClient: Pem;
  /** Another client certificate signed by `ca`, and the key of `client`, which is not its own. */
  mismatched: Pem;
}

/** Makes the test's certificates (elliptic-curve keys: fast to make), valid for two days. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookline-pki-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = (name: string) =>
    openssl(
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      file(`${name}.key`),
    );
  const selfSigned = (name: string, subject: string) => {
    newKey(name);
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      subject,
    );
  };
  const signed = (name: string, ca: string, subject: string, extra: string[] = []) => {
    newKey(name);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      ...extra,
    );
  };
  try {
    selfSigned('ca', '/CN=Hookline test CA');
    selfSigned('other-ca', '/CN=Another CA');
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    signed('server', 'ca', '/CN=localhost', ['-days', '2', '-extfile', 'server.ext']);
    signed('client', 'ca', '/CN=hookline-dispatcher', ['-days', '2']);
    signed('client2', 'ca', '/CN=hookline-other', ['-days', '2']);
    signed('other-client', 'other-ca', '/CN=intruder', ['-days', '2']);
    const pem = (name: string): Pem => ({
      certificate: readFileSync(file(`${name}.pem`), 'utf8'),
      key: readFileSync(file(`${name}.key`), 'utf8'),
    });
    const client = pem('client');
    return {
      ca: pem('ca'),
      server: pem('server'),
      client,
      otherCa: pem('other-ca'),
      otherClient: pem('other-client'),
      mismatched: { certificate: pem('client2').certificate, key: client.key },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
