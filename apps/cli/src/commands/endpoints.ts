import type { Endpoint } from '@hookline/client';
import { Option, type Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json, palette, table } from '../io';
import { UsageError } from '../errors';
import { collect, collectList, fileText, header, positive } from '../options';

interface AddOptions {
  tenant?: string;
  description?: string;
  event?: string[];
  events?: string[];
  header?: Record<string, string>;
  rateLimit?: number;
  signature?: 'v1' | 'v1a';
  secret?: string;
  legacySignatureHeader?: string;
  disabled?: boolean;
  oauth2TokenUrl?: string;
  oauth2ClientId?: string;
  oauth2ClientSecret?: string;
  oauth2Scope?: string;
  oauth2Audience?: string;
  clientCert?: string;
  clientKey?: string;
}

/** The endpoint's `auth` from the options: OAuth 2.0 client credentials, a client certificate, or none. */
function authOf(options: AddOptions) {
  const oauth2 = [options.oauth2TokenUrl, options.oauth2ClientId, options.oauth2ClientSecret];
  const certificate = [options.clientCert, options.clientKey];
  const some = (values: (string | undefined)[]) => values.some((v) => v !== undefined);
  const all = (values: (string | undefined)[]) => values.every((v) => v !== undefined);
  if (some(oauth2) && some(certificate))
    throw new UsageError('choose OAuth 2.0 (--oauth2-…) or a client certificate, not both');
  if (some(oauth2) || options.oauth2Scope !== undefined || options.oauth2Audience !== undefined) {
    if (!all(oauth2))
      throw new UsageError(
        'OAuth 2.0 needs --oauth2-token-url, --oauth2-client-id and --oauth2-client-secret',
      );
    return {
      type: 'oauth2_client_credentials' as const,
      token_url: options.oauth2TokenUrl!,
      client_id: options.oauth2ClientId!,
      client_secret: options.oauth2ClientSecret!,
      scope: options.oauth2Scope ?? null,
      audience: options.oauth2Audience ?? null,
    };
  }
  if (some(certificate)) {
    if (!all(certificate))
      throw new UsageError('a client certificate needs both --client-cert and --client-key');
    return {
      type: 'client_certificate' as const,
      certificate: options.clientCert!,
      key: options.clientKey!,
    };
  }
  return undefined;
}

/** What the API answers receivers verify with: a v1 secret, or a v1a endpoint's public key. */
const keyLabel = (key: string) =>
  key.startsWith('whpk_') ? 'Public key (receivers verify with it)' : 'Signing secret';

const events = (endpoint: Endpoint) =>
  endpoint.event_types.length === 0 ? '*' : endpoint.event_types.join(',');

export function endpointsCommand(program: Command, { io, env }: ProgramContext): void {
  const endpoints = program
    .command('endpoints')
    .description('list, add, remove endpoints and rotate their secrets');
  const paint = palette(io.color);

  endpoints
    .command('ls')
    .description('list endpoints')
    .option('--tenant <id>', "only this tenant's")
    .option('--limit <n>', 'at most n endpoints (default: all)', positive)
    .action(async (options: { tenant?: string; limit?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const pager = clientFor(globals, env).endpoints.list({
        ...(options.tenant !== undefined ? { tenant_id: options.tenant } : {}),
        limit: Math.min(options.limit ?? 100, 250),
      });
      const all = await pager.toArray(options.limit);
      if (globals.json) {
        io.stdout.write(json(all));
        return;
      }
      if (all.length === 0) {
        io.stdout.write(
          options.tenant !== undefined
            ? `No endpoints for ${options.tenant} yet: hookline endpoints add <url> --tenant ${options.tenant}\n`
            : 'No endpoints yet: hookline endpoints add <url>\n',
        );
        return;
      }
      // The tenant column only where there is one to show: without tenants it would be all dashes.
      const tenanted = all.some((e) => e.tenant_id !== null);
      const rows = all.map((e) => [
        e.id,
        ...(tenanted ? [e.tenant_id ?? '-'] : []),
        e.url,
        events(e),
        e.disabled ? 'disabled' : 'enabled',
        e.description,
      ]);
      const headers = ['ID', ...(tenanted ? ['TENANT'] : []), 'URL', 'EVENTS', 'STATE'];
      io.stdout.write(table([...headers, 'DESCRIPTION'], rows));
    });

  endpoints
    .command('add')
    .description('create an endpoint and print its signing secret')
    .argument(
      '<url>',
      'where deliveries go (https://, or anything with HOOKLINE_ALLOW_INSECURE_URLS=true)',
    )
    .option('--tenant <id>', 'the tenant whose events it gets (set now, never changed)')
    .option('--description <text>', 'what it is')
    .option('--event <type>', 'event name or prefix.* it gets (repeatable; default: all)', collect)
    .option(
      '--events <types>',
      "comma-separated event names or prefixes, e.g. 'order.*,hookline.*' (Hookline's own operational events need hookline.* or their names)",
      collectList,
    )
    .option('--header <name:value>', 'a header sent with every delivery (repeatable)', header)
    .option('--rate-limit <n>', 'at most n deliveries per second', positive)
    .addOption(
      new Option(
        '--signature <scheme>',
        'v1: HMAC with a shared whsec_ secret; v1a: ed25519, receivers verify with a whpk_ public key',
      ).choices(['v1', 'v1a']),
    )
    .option('--secret <whsec|whsk>', 'signing secret, or v1a signing key (default: generated)')
    .option(
      '--legacy-signature-header <name>',
      'also sign as sha256=<hex> in this header, e.g. X-Hub-Signature-256',
    )
    .option('--disabled', 'create it disabled')
    .option('--oauth2-token-url <url>', 'OAuth 2.0: the token endpoint to get bearer tokens from')
    .option('--oauth2-client-id <id>', 'OAuth 2.0: the client id')
    .option(
      '--oauth2-client-secret <secret>',
      'OAuth 2.0: the client secret (or @file to read it from one)',
      (value: string) =>
        value.startsWith('@') ? fileText('--oauth2-client-secret')(value.slice(1)).trim() : value,
    )
    .option('--oauth2-scope <scope>', 'OAuth 2.0: the scope to ask for')
    .option('--oauth2-audience <audience>', 'OAuth 2.0: the audience to ask for')
    .option(
      '--client-cert <file>',
      'mutual TLS: a PEM client certificate to present',
      fileText('--client-cert'),
    )
    .option('--client-key <file>', 'mutual TLS: its PEM private key', fileText('--client-key'))
    .action(async (url: string, options: AddOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const auth = authOf(options);
      const created = await clientFor(globals, env).endpoints.create({
        url,
        ...(options.tenant !== undefined ? { tenant_id: options.tenant } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.event || options.events
          ? { event_types: [...(options.event ?? []), ...(options.events ?? [])] }
          : {}),
        ...(options.header ? { headers: options.header } : {}),
        ...(options.rateLimit !== undefined ? { rate_limit: options.rateLimit } : {}),
        ...(options.signature !== undefined ? { signature: options.signature } : {}),
        ...(options.secret !== undefined ? { secret: options.secret } : {}),
        ...(options.legacySignatureHeader !== undefined
          ? { legacy_signature_header: options.legacySignatureHeader }
          : {}),
        ...(options.disabled ? { disabled: true } : {}),
        ...(auth ? { auth } : {}),
      });
      if (globals.json) {
        io.stdout.write(json(created));
        return;
      }
      const tenant = created.tenant_id !== null ? `tenant ${created.tenant_id}, ` : '';
      io.stdout.write(
        `${created.id} created for ${created.url} (${tenant}events: ${events(created)})\n`,
      );
      io.stdout.write(`${keyLabel(created.secret)}: ${paint.bold(created.secret)}\n`);
    });

  endpoints
    .command('rm')
    .description('delete an endpoint (its pending deliveries are dropped)')
    .argument('<id>', 'endpoint id (ep_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await clientFor(globals, env).endpoints.delete(id);
      io.stdout.write(globals.json ? json({ id, deleted: true }) : `${id} deleted\n`);
    });

  endpoints
    .command('rotate')
    .description(
      "replace an endpoint's signing secret; the old one keeps signing for the grace period",
    )
    .argument('<id>', 'endpoint id (ep_…)')
    .option('--key <whsec|whsk>', 'the new secret, or v1a signing key (default: generated)')
    .action(async (id: string, options: { key?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const rotated = await clientFor(globals, env).endpoints.rotateSecret(
        id,
        options.key ? { key: options.key } : {},
      );
      io.stdout.write(
        globals.json
          ? json(rotated)
          : `New ${keyLabel(rotated.key).toLowerCase()} for ${id}: ${paint.bold(rotated.key)}\n`,
      );
    });
}
