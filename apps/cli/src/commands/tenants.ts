import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json, palette, table } from '../io';
import { duration, positive, weight as weightOf } from '../options';

export function tenantsCommand(program: Command, { io, env }: ProgramContext): void {
  const tenants = program
    .command('tenants')
    .description("your customers' tenants: list, inspect, delete, and mint their portal keys");
  const paint = palette(io.color);

  tenants
    .command('ls')
    .description('list the tenants that have endpoints, by id')
    .option('--limit <n>', 'at most n tenants (default: all)', positive)
    .action(async (options: { limit?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const pager = clientFor(globals, env).tenants.list({
        limit: Math.min(options.limit ?? 100, 250),
      });
      const all = await pager.toArray(options.limit);
      if (globals.json) {
        io.stdout.write(json(all));
        return;
      }
      if (all.length === 0) {
        io.stdout.write('No tenants yet: hookline endpoints add <url> --tenant <id>\n');
        return;
      }
      io.stdout.write(
        table(
          ['ID', 'ENDPOINTS'],
          all.map((t) => [t.id, String(t.endpoints)]),
        ),
      );
    });

  tenants
    .command('show')
    .description("a tenant's endpoints, pending deliveries and dead letter, counted now")
    .argument('<id>', 'tenant id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const tenant = await clientFor(globals, env).tenants.get(id);
      if (globals.json) {
        io.stdout.write(json(tenant));
        return;
      }
      io.stdout.write(
        table(
          ['Tenant', tenant.id],
          [
            ['Endpoints', String(tenant.endpoints)],
            ['Pending', String(tenant.pending)],
            ['Dead letter', String(tenant.dead_letter)],
            ['Weight', String(tenant.weight)],
          ],
        ),
      );
    });

  tenants
    .command('weight')
    .description("set a tenant's weight: its share of the front lane (1-100, default 1)")
    .argument('<id>', 'tenant id')
    .argument('<weight>', 'a whole number from 1 to 100', weightOf)
    .action(async (id: string, weight: number, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const tenant = await clientFor(globals, env).tenants.update(id, { weight });
      io.stdout.write(
        globals.json ? json(tenant) : `${tenant.id} now has weight ${tenant.weight}\n`,
      );
    });

  tenants
    .command('rm')
    .description(
      'delete every endpoint of a tenant (their pending deliveries are dropped) and revoke its keys',
    )
    .argument('<id>', 'tenant id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await clientFor(globals, env).tenants.delete(id);
      io.stdout.write(
        globals.json ? json({ id, deleted: true }) : `${id} deleted, with its endpoints and keys\n`,
      );
    });

  tenants
    .command('key')
    .description("mint a tenant key, and print it with the link to the tenant's portal")
    .argument('<id>', 'tenant id')
    .option(
      '--expires-in <duration>',
      'how long the key lives: 30m, 7d… (default 24h, at most 30d)',
      duration,
    )
    .action(async (id: string, options: { expiresIn?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const minted = await clientFor(globals, env).tenants.createKey(
        id,
        options.expiresIn !== undefined ? { expires_in: options.expiresIn } : {},
      );
      if (globals.json) {
        io.stdout.write(json(minted));
        return;
      }
      io.stdout.write(`Tenant key for ${minted.tenant_id}: ${paint.bold(minted.key)}\n`);
      io.stdout.write(`Expires ${minted.expires_at}; it is shown only now.\n`);
      io.stdout.write(`Portal: ${minted.portal_url}\n`);
    });

  tenants
    .command('revoke')
    .description('revoke every key of a tenant (its endpoints stay)')
    .argument('<id>', 'tenant id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await clientFor(globals, env).tenants.revokeKeys(id);
      io.stdout.write(
        globals.json ? json({ id, revoked: true }) : `Every key of ${id} is revoked\n`,
      );
    });
}
