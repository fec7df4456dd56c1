import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json, palette, table } from '../io';
import { excerpt, result } from './describe';

export function deliveriesCommand(program: Command, { io, env }: ProgramContext): void {
  const deliveries = program.command('deliveries').description('inspect deliveries');
  const paint = palette(io.color);

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
