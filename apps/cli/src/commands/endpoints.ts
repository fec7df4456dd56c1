import type {
  BlockedLine,
  EndpointCreateParams,
  EndpointType,
  EndpointUpdateParams,
  OrderingKey,
} from '@hookline/client';
import { Option, type Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json, palette, table } from '../io';
import { UsageError } from '../errors';
import { collect, collectList, fileText, header, positive } from '../options';
import { brokerSummary, endpointDetails, events } from './endpoint-details';
import {
  checkTypeOptions,
  destination,
  ENDPOINT_TYPES,
  typeFields,
  typeOfUrl,
  typesOfOptions,
  type TypeOptions,
} from './endpoint-type';

interface AddOptions extends TypeOptions {
  type?: EndpointType;
  tenant?: string;
  description?: string;
  event?: string[];
  events?: string[];
  header?: Record<string, string>;
  rateLimit?: number;
  ordering?: OrderingKey;
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

/** The HTTP authentication options given, as `[flag, 'http']`: a broker endpoint has none. */
function authFlags(options: AddOptions): [string, EndpointType][] {
  const flags: [string, unknown][] = [
    ['--oauth2-token-url', options.oauth2TokenUrl],
    ['--oauth2-client-id', options.oauth2ClientId],
    ['--oauth2-client-secret', options.oauth2ClientSecret],
    ['--oauth2-scope', options.oauth2Scope],
    ['--oauth2-audience', options.oauth2Audience],
    ['--client-cert', options.clientCert],
    ['--client-key', options.clientKey],
  ];
  return flags.filter(([, value]) => value !== undefined).map(([flag]) => [flag, 'http']);
}

/** The create params of the endpoint's type: only HTTP authenticates, only NATS needs a subject. */
function createParams(
  type: EndpointType,
  url: string,
  options: AddOptions,
  common: Omit<EndpointCreateParams, 'type' | 'url'>,
): EndpointCreateParams {
  checkTypeOptions(type, options, authFlags(options));
  switch (type) {
    case 'http': {
      const auth = authOf(options);
      return { url, ...common, ...(auth ? { auth } : {}) };
    }
    case 'rabbitmq':
      return { type, url, ...common, ...typeFields(options) };
    case 'nats':
      if (options.subject === undefined)
        throw new UsageError("a nats endpoint needs --subject, e.g. --subject 'hooks.{event}'");
      return { type, url, ...common, subject: options.subject };
    default: {
      const never: never = type;
      return never;
    }
  }
}

interface UpdateOptions extends TypeOptions {
  endpointUrl?: string;
  description?: string;
  event?: string[];
  events?: string[];
  header?: Record<string, string>;
  rateLimit?: number;
  ordering?: OrderingKey | 'none';
  legacySignatureHeader?: string;
  disable?: boolean;
  enable?: boolean;
}

/** The PATCH the options ask for; refused when it asks nothing, or both states at once. */
function patchOf(options: UpdateOptions): EndpointUpdateParams {
  if (options.disable && options.enable) throw new UsageError('--disable or --enable, not both');
  const patch: EndpointUpdateParams = {
    ...(options.endpointUrl !== undefined ? { url: options.endpointUrl } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.event || options.events
      ? { event_types: [...(options.event ?? []), ...(options.events ?? [])] }
      : {}),
    ...(options.header ? { headers: options.header } : {}),
    ...(options.rateLimit !== undefined ? { rate_limit: options.rateLimit } : {}),
    ...(options.ordering !== undefined
      ? { ordering: options.ordering === 'none' ? null : { key: options.ordering } }
      : {}),
    ...(options.legacySignatureHeader !== undefined
      ? { legacy_signature_header: options.legacySignatureHeader }
      : {}),
    ...(options.disable ? { disabled: true } : {}),
    ...(options.enable ? { disabled: false } : {}),
    ...typeFields(options),
  };
  if (Object.keys(patch).length === 0)
    throw new UsageError(
      'nothing to change: give at least one option (hookline endpoints update --help)',
    );
  return patch;
}

/** What the API answers receivers verify with: a v1 secret, or a v1a endpoint's public key. */
const keyLabel = (key: string) =>
  key.startsWith('whpk_') ? 'Public key (receivers verify with it)' : 'Signing secret';

const ORDERING_KEYS: readonly OrderingKey[] = ['endpoint', 'resource', 'tenant'];

const ORDERING_HELP =
  "deliver one line at a time, in the order events were accepted: endpoint (one line), resource (a line per event's resource.id) or tenant (a line per tenant)";

/**
 * A blocked line as a table row. A line without a key value (the whole endpoint's, or that of
 * events without a resource or tenant) shows `-`, as other tables show a missing value.
 */
const blockedRow = (line: BlockedLine) => [
  line.key,
  line.value === '' ? '-' : line.value,
  line.head_delivery_id,
  String(line.waiting),
  line.blocked_since,
];

const typeOption = () =>
  new Option(
    '--type <type>',
    'http, rabbitmq or nats (default: from the URL: amqp(s):// rabbitmq, nats:// or tls:// nats, else http)',
  ).choices(ENDPOINT_TYPES);

export function endpointsCommand(program: Command, { io, env }: ProgramContext): void {
  const endpoints = program
    .command('endpoints')
    .description(
      'list, show, add, update, remove endpoints, rotate their secrets and list their blocked lines',
    );
  const paint = palette(io.color);

  endpoints
    .command('ls')
    .alias('list')
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
      // The tenant and destination columns only where there is one to show: without tenants, or
      // without broker endpoints, they would be all dashes.
      const tenanted = all.some((e) => e.tenant_id !== null);
      const brokers = all.some((e) => e.type !== 'http');
      const rows = all.map((e) => [
        e.id,
        ...(tenanted ? [e.tenant_id ?? '-'] : []),
        e.type,
        e.url,
        ...(brokers ? [destination(e)] : []),
        events(e),
        e.disabled ? 'disabled' : 'enabled',
        e.description,
      ]);
      const headers = [
        'ID',
        ...(tenanted ? ['TENANT'] : []),
        'TYPE',
        'URL',
        ...(brokers ? ['PUBLISHES TO'] : []),
        'EVENTS',
        'STATE',
      ];
      io.stdout.write(table([...headers, 'DESCRIPTION'], rows));
    });

  endpoints
    .command('add')
    .description('create an endpoint and print its signing secret')
    .argument(
      '<url>',
      'where deliveries go: https://…, a RabbitMQ amqps://user:password@host/vhost, NATS servers tls://[user:password@]host:4222,… (plain amqp://, nats://, http:// with HOOKLINE_ALLOW_INSECURE_URLS=true); the password is never shown again',
    )
    .addOption(typeOption())
    .option('--exchange <name>', "rabbitmq: the exchange (default: the broker's default exchange)")
    .option(
      '--routing-key <key>',
      "rabbitmq: the routing key; {event} is the event's name (default: {event})",
    )
    .option('--subject <subject>', "nats: the JetStream subject; {event} is the event's name")
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
    .addOption(new Option('--ordering <key>', ORDERING_HELP).choices(ORDERING_KEYS))
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
      const params = createParams(options.type ?? typeOfUrl(url), url, options, {
        ...(options.tenant !== undefined ? { tenant_id: options.tenant } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.event || options.events
          ? { event_types: [...(options.event ?? []), ...(options.events ?? [])] }
          : {}),
        ...(options.header ? { headers: options.header } : {}),
        ...(options.rateLimit !== undefined ? { rate_limit: options.rateLimit } : {}),
        ...(options.ordering !== undefined ? { ordering: { key: options.ordering } } : {}),
        ...(options.signature !== undefined ? { signature: options.signature } : {}),
        ...(options.secret !== undefined ? { secret: options.secret } : {}),
        ...(options.legacySignatureHeader !== undefined
          ? { legacy_signature_header: options.legacySignatureHeader }
          : {}),
        ...(options.disabled ? { disabled: true } : {}),
      });
      const created = await clientFor(globals, env).endpoints.create(params);
      if (globals.json) {
        io.stdout.write(json(created));
        return;
      }
      const tenant = created.tenant_id !== null ? `tenant ${created.tenant_id}, ` : '';
      io.stdout.write(
        `${created.id} created for ${created.url} (${brokerSummary(created)}${tenant}events: ${events(created)})\n`,
      );
      io.stdout.write(`${keyLabel(created.secret)}: ${paint.bold(created.secret)}\n`);
    });

  endpoints
    .command('show')
    .description('an endpoint: its type, where it delivers to, and its settings')
    .argument('<id>', 'endpoint id (ep_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const endpoint = await clientFor(globals, env).endpoints.get(id);
      io.stdout.write(globals.json ? json(endpoint) : endpointDetails(endpoint));
    });

  endpoints
    .command('blocked-lines')
    .description(
      "an ordered endpoint's lines held up by a head delivery that failed and waits for its retry, longest blocked first",
    )
    .argument('<id>', 'endpoint id (ep_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { data } = await clientFor(globals, env).endpoints.listBlockedLines(id);
      if (globals.json) {
        io.stdout.write(json(data));
        return;
      }
      if (data.length === 0) {
        io.stdout.write(`No blocked lines for ${id}\n`);
        return;
      }
      io.stdout.write(table(['KEY', 'VALUE', 'HEAD', 'WAITING', 'SINCE'], data.map(blockedRow)));
    });

  endpoints
    .command('update')
    .description(
      "change an endpoint's settings; those not given stay as they are (its type never changes)",
    )
    .argument('<id>', 'endpoint id (ep_…)')
    .option(
      '--endpoint-url <url>',
      "where deliveries go, under its type's rules; a broker URL replaces the credentials too (left out: kept). --url is the producer's",
    )
    .option('--description <text>', 'what it is')
    .option(
      '--event <type>',
      'event name or prefix.* it gets, replacing the list (repeatable)',
      collect,
    )
    .option(
      '--events <types>',
      'comma-separated event names or prefixes, replacing the list',
      collectList,
    )
    .option(
      '--header <name:value>',
      'a header sent with every delivery, replacing them all (repeatable)',
      header,
    )
    .option('--rate-limit <n>', 'at most n deliveries per second', positive)
    .addOption(
      new Option(
        '--ordering <key>',
        `${ORDERING_HELP}; none: unordered. Applies to events published from now on`,
      ).choices([...ORDERING_KEYS, 'none']),
    )
    .option('--legacy-signature-header <name>', 'also sign as sha256=<hex> in this header')
    .option('--disable', 'stop delivering to it')
    .option('--enable', 'deliver to it again')
    .option('--exchange <name>', 'rabbitmq: the exchange (empty: the default exchange)')
    .option('--routing-key <key>', "rabbitmq: the routing key; {event} is the event's name")
    .option('--subject <subject>', "nats: the JetStream subject; {event} is the event's name")
    .action(async (id: string, options: UpdateOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const patch = patchOf(options);
      const client = clientFor(globals, env);
      const types = [...typesOfOptions(options)];
      if (types.length > 1)
        throw new UsageError(
          `${types.join(' and ')} options together: an endpoint is one type, which never changes`,
        );
      // The type the options are checked against: the new URL's, else the endpoint's own (read
      // first, so that nothing is changed when one is wrong).
      if (types.length === 1)
        checkTypeOptions(
          options.endpointUrl !== undefined
            ? typeOfUrl(options.endpointUrl)
            : (await client.endpoints.get(id)).type,
          options,
        );
      const updated = await client.endpoints.update(id, patch);
      io.stdout.write(globals.json ? json(updated) : endpointDetails(updated));
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
