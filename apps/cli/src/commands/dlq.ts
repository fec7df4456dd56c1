import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json, table } from '../io';
import { positive } from '../options';
import { lastAttempt, result } from './describe';

const DEFAULT_LIMIT = 100;

interface Filter {
  endpoint?: string;
  tenant?: string;
}

const filter = ({ endpoint, tenant }: Filter) => ({
  ...(endpoint !== undefined ? { endpoint_id: endpoint } : {}),
  ...(tenant !== undefined ? { tenant_id: tenant } : {}),
});

export function dlqCommand(program: Command, { io, env }: ProgramContext): void {
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
      const limit = options.limit ?? DEFAULT_LIMIT;
      const pager = clientFor(globals, env).deadLetter.list({
        ...filter(options),
        limit: Math.min(limit + 1, 250),
      });
      // One more than shown tells whether there are more.
      const dead = await pager.toArray(limit + 1);
      const shown = dead.slice(0, limit);
      if (globals.json) {
        io.stdout.write(json(shown));
        return;
      }
      if (shown.length === 0) {
        io.stdout.write('The dead letter is empty.\n');
        return;
      }
      const rows = shown.map((d) => [
        d.id,
        d.endpoint_id,
        d.event_id ?? 'test',
        String(d.attempts.length),
        result(lastAttempt(d)),
        d.created_at,
      ]);
      io.stdout.write(table(['ID', 'ENDPOINT', 'EVENT', 'ATTEMPTS', 'LAST', 'CREATED'], rows));
      if (dead.length > limit) io.stderr.write(`(more than ${limit}: --limit to see more)\n`);
    });

  dlq
    .command('replay')
    .description(
      "deliver dead deliveries again: the given ids, an endpoint's, a tenant's, or (with none) all of them",
    )
    .argument('[ids...]', 'delivery ids (whd_…)')
    .option('--endpoint <id>', "only this endpoint's")
    .option('--tenant <id>', "only this tenant's")
    .action(async (ids: string[], options: Filter, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const replayed = await clientFor(globals, env).deadLetter.replay({
        ...(ids.length > 0 ? { ids } : {}),
        ...filter(options),
      });
      const plural = replayed.replayed === 1 ? 'delivery' : 'deliveries';
      io.stdout.write(globals.json ? json(replayed) : `Replayed ${replayed.replayed} ${plural}\n`);
    });
}
