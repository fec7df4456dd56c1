import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json } from '../io';
import { positive, sinceOption, untilOption } from '../options';
import { printDeliveries } from './delivery-list';

const DEFAULT_LIMIT = 100;

interface Filter {
  endpoint?: string;
  tenant?: string;
}

const filter = ({ endpoint, tenant }: Filter) => ({
  ...(endpoint !== undefined ? { endpoint_id: endpoint } : {}),
  ...(tenant !== undefined ? { tenant_id: tenant } : {}),
});

interface ReplayOptions extends Filter {
  since?: string;
  until?: string;
  dryRun?: boolean;
}

export function dlqCommand(program: Command, { io, env, now = Date.now }: ProgramContext): void {
  const dlq = program
    .command('dlq')
    .description('the dead letter: deliveries that ran out of attempts');

  dlq
    .command('ls')
    .description('list dead deliveries, newest first')
    .option('--endpoint <id>', "only this endpoint's")
    .option('--tenant <id>', "only this tenant's")
    .option('--limit <n>', `at most n (default ${DEFAULT_LIMIT})`, positive)
    .action(async (options: Filter & { limit?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = clientFor(globals, env);
      await printDeliveries(
        io,
        globals,
        (pageSize) => client.deadLetter.list({ ...filter(options), limit: pageSize }),
        { limit: options.limit ?? DEFAULT_LIMIT, empty: 'The dead letter is empty.' },
      );
    });

  dlq
    .command('replay')
    .description(
      "deliver dead deliveries again: the given ids, an endpoint's, a tenant's, or (with none) all of them",
    )
    .argument('[ids...]', 'delivery ids (whd_…)')
    .option('--endpoint <id>', "only this endpoint's")
    .option('--tenant <id>', "only this tenant's")
    .addOption(sinceOption(now))
    .addOption(untilOption(now))
    .option('--dry-run', 'count what would be replayed, and replay nothing')
    .action(async (ids: string[], options: ReplayOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const replayed = await clientFor(globals, env).deadLetter.replay({
        ...(ids.length > 0 ? { ids } : {}),
        ...filter(options),
        ...(options.since !== undefined ? { since: options.since } : {}),
        ...(options.until !== undefined ? { until: options.until } : {}),
        ...(options.dryRun ? { dry_run: true } : {}),
      });
      if (globals.json) {
        io.stdout.write(json(replayed));
        return;
      }
      const count = `${replayed.replayed} ${replayed.replayed === 1 ? 'delivery' : 'deliveries'}`;
      io.stdout.write(
        replayed.dry_run
          ? `Would replay ${count} (dry run: nothing sent)\n`
          : `Replayed ${count}\n`,
      );
    });
}
