import type { DeliveryListParams, DeliveryStatus } from '@hookline/client';
import { Option, type Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json, palette, table } from '../io';
import { httpStatus, positive, sinceOption, untilOption } from '../options';
import { printDeliveries } from './delivery-list';
import { excerpt, result } from './describe';

const DEFAULT_LIMIT = 100;

// Every status, and a compile error here when the API gains one.
const STATUSES = Object.keys({
  pending: true,
  delivered: true,
  failed: true,
  dead: true,
} satisfies Record<DeliveryStatus, true>);

interface SearchOptions {
  tenant?: string;
  endpoint?: string;
  status?: DeliveryStatus;
  name?: string;
  since?: string;
  until?: string;
  resource?: string;
  httpStatus?: number;
  limit?: number;
}

/** The search's filters from the flags; a flag not given is undefined, which the client leaves out. */
const search = (options: SearchOptions): DeliveryListParams => ({
  tenant_id: options.tenant,
  endpoint_id: options.endpoint,
  status: options.status,
  name: options.name,
  since: options.since,
  until: options.until,
  resource_id: options.resource,
  http_status: options.httpStatus,
});

export function deliveriesCommand(
  program: Command,
  { io, env, now = Date.now }: ProgramContext,
): void {
  const deliveries = program.command('deliveries').description('search and inspect deliveries');
  const paint = palette(io.color);

  deliveries
    .command('ls')
    .description('search deliveries, newest first: every filter optional, all of them ANDed')
    .option('--tenant <id>', "only this tenant's")
    .option('--endpoint <id>', "only this endpoint's")
    .addOption(new Option('--status <status>', 'only those in this state').choices(STATUSES))
    .option('--name <name>', 'only those of events of this name, or under a prefix (order.*)')
    .addOption(sinceOption(now))
    .addOption(untilOption(now))
    .option('--resource <id>', 'only those of events about this resource id')
    .option('--http-status <code>', "only those whose last attempt's status was this", httpStatus)
    .option('--limit <n>', `at most n (default ${DEFAULT_LIMIT})`, positive)
    .action(async (options: SearchOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = clientFor(globals, env);
      await printDeliveries(
        io,
        globals,
        (pageSize) => client.deliveries.list({ ...search(options), limit: pageSize }),
        { limit: options.limit ?? DEFAULT_LIMIT, empty: 'No deliveries found.', withStatus: true },
      );
    });

  deliveries
    .command('show')
    .description('a delivery and all its attempts')
    .argument('<id>', 'delivery id (whd_…, the Webhook-Id receivers get)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const delivery = await clientFor(globals, env).deliveries.get(id);
      if (globals.json) {
        io.stdout.write(json(delivery));
        return;
      }
      const colour =
        delivery.status === 'delivered'
          ? paint.green
          : delivery.status === 'pending'
            ? paint.yellow
            : paint.red;
      const next = delivery.next_attempt_at ? ` (next attempt ${delivery.next_attempt_at})` : '';
      io.stdout.write(
        table(
          ['Delivery', delivery.id],
          [
            ['Status', `${colour(delivery.status)}${next}`],
            ['Event', delivery.event_id ?? 'test delivery'],
            ['Endpoint', delivery.endpoint_id],
            ['Created', delivery.created_at],
            // The publisher's trace, to look the delivery's attempts up in a tracing tool.
            ...(delivery.trace_id ? [['Trace', delivery.trace_id] as [string, string]] : []),
          ],
        ),
      );
      if (delivery.attempts.length === 0) {
        io.stdout.write('\nNo attempts yet.\n');
        return;
      }
      const rows = delivery.attempts.map((a) => [
        String(a.number),
        a.at,
        result(a),
        `${Math.round(a.duration_ms)} ms`,
        excerpt(a.response_excerpt),
      ]);
      io.stdout.write(`\n${table(['#', 'AT', 'RESULT', 'DURATION', 'RESPONSE'], rows)}`);
    });
}
