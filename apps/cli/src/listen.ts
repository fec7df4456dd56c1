import type { AddressInfo } from 'node:net';
import {
  decodeSecret,
  InvalidSecretError,
  WebhookHeaders,
  type WebhookEvent,
} from '@hookline/webhooks';
import type { ProgramContext } from './context';
import { CommandError, UsageError } from './errors';
import { palette, type Palette } from './io';
import { createListener, headerOf, type Received } from './listener';

export interface ListenOptions {
  port: number;
  host: string;
  secret?: string[];
  status?: number;
  failRate?: number;
}

/** `hookline listen`: serves until stopped (`context.onStop`). */
export async function listen(
  options: ListenOptions,
  json: boolean,
  { io, onStop, random = Math.random }: ProgramContext,
): Promise<void> {
  const secrets = options.secret ?? [];
  for (const secret of secrets) {
    try {
      decodeSecret(secret);
    } catch (error) {
      if (error instanceof InvalidSecretError) throw new UsageError(`--secret: ${error.message}`);
      throw error;
    }
  }
  const paint = palette(io.color && !json);
  const server = createListener({
    secrets,
    ...(options.status !== undefined ? { status: options.status } : {}),
    ...(options.failRate !== undefined ? { failRate: options.failRate } : {}),
    random,
    onRequest: (received) => io.stdout.write(json ? jsonLine(received) : describe(received, paint)),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new CommandError(`cannot listen on ${options.host}:${options.port}: ${error.message}`),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const checking =
    secrets.length > 0
      ? `verifying signatures with ${secrets.length} secret(s)`
      : 'no --secret: signatures are not checked';
  // In --json mode stdout is one JSON object per line and nothing else.
  (json ? io.stderr : io.stdout).write(
    `Listening on http://${host}:${actual} (${checking}); Ctrl-C to stop\n`,
  );

  await new Promise<void>((resolve) => onStop(resolve));
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function verdict(received: Received, paint: Palette): string {
  const { verification } = received;
  switch (verification.kind) {
    case 'verified':
      return paint.green('✔ signature verified');
    case 'invalid':
      return paint.red(`✘ signature invalid: ${verification.reason} (${verification.message})`);
    case 'unchecked':
      return paint.yellow('signature not checked (no --secret)');
    default: {
      const never: never = verification;
      return never;
    }
  }
}

/** A delivery for a person: what, which attempt, whether it verified, what was answered, the data. */
function describe(received: Received, paint: Palette): string {
  const time = received.at.toTimeString().slice(0, 8);
  const name =
    typeof received.event?.name === 'string' ? received.event.name : '(not a Hookline event)';
  const attempt = headerOf(received, WebhookHeaders.attempt) ?? '?';
  const status =
    received.status < 300 ? paint.green(`→ ${received.status}`) : paint.red(`→ ${received.status}`);
  const webhookId = headerOf(received, WebhookHeaders.id) ?? '-';
  const eventId = headerOf(received, WebhookHeaders.eventId) ?? 'test delivery';
  const lines = [
    `${paint.dim(time)}  ${paint.bold(paint.cyan(name))}  attempt ${attempt}  ${verdict(received, paint)}  ${status}`,
    paint.dim(
      `          ${received.method} ${received.path}  event ${eventId}  delivery ${webhookId}`,
    ),
  ];
  const summary = operationalSummary(received.event);
  if (summary !== undefined) lines.push(`          ${paint.yellow(summary)}`);
  if (received.event?.data !== undefined) {
    lines.push(
      ...JSON.stringify(received.event.data, null, 2)
        .split('\n')
        .map((line) => `          ${line}`),
    );
  } else if (received.event === undefined) {
    lines.push(`          (body is not JSON: ${received.body.length} bytes)`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Hookline's own operational events in one sentence an operator can act on (docs/api.md,
 * "Operational events"); `undefined` for any other event.
 */
export function operationalSummary(event: Partial<WebhookEvent> | undefined): string | undefined {
  const data = event?.data ?? {};
  const text = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : '-';
  const tenant = data.tenant_id ? ` of tenant ${text(data.tenant_id)}` : '';
  switch (event?.name) {
    case 'hookline.delivery.dead': {
      const last =
        data.last_status_code !== null && data.last_status_code !== undefined
          ? `HTTP ${text(data.last_status_code)}`
          : text(data.last_error);
      return `dead letter: delivery ${text(data.delivery_id)} to endpoint ${text(data.endpoint_id)}${tenant} gave up after ${text(data.attempts)} attempts (last: ${last}); replay with: hookline dlq replay ${text(data.delivery_id)}`;
    }
    case 'hookline.endpoint.disabled':
      return `endpoint ${text(data.endpoint_id)}${tenant} disabled by Hookline: ${text(data.reason)}`;
    default:
      return undefined;
  }
}

/** A delivery for a script: one JSON object per line. */
function jsonLine(received: Received): string {
  const { verification } = received;
  const attempt = Number(headerOf(received, WebhookHeaders.attempt));
  return `${JSON.stringify({
    at: received.at.toISOString(),
    path: received.path,
    webhook_id: headerOf(received, WebhookHeaders.id) ?? null,
    event_id: headerOf(received, WebhookHeaders.eventId) ?? null,
    attempt: Number.isInteger(attempt) ? attempt : null,
    verified: verification.kind === 'unchecked' ? null : verification.kind === 'verified',
    ...(verification.kind === 'invalid' ? { reason: verification.reason } : {}),
    status: received.status,
    event: received.event ?? null,
  })}\n`;
}
