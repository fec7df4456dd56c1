import type { CreatedOperatorKey } from '@hookline/client';
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json, palette, table } from '../io';
import { duration, grace, positive } from '../options';

export function operatorKeysCommand(program: Command, { io, env }: ProgramContext): void {
  const keys = program
    .command('operator-keys')
    .description(
      'keys to every route, made, rotated and revoked without a restart (HOOKLINE_API_KEYS stays the bootstrap key)',
    );
  const paint = palette(io.color);

  /** A key just made or rotated: shown once, so said so. */
  const shown = (made: CreatedOperatorKey, what: string) => {
    io.stdout.write(`${what} ${made.id}: ${paint.bold(made.key)}\n`);
    io.stdout.write(
      `${made.expires_at === null ? 'It lives until revoked' : `Expires ${made.expires_at}`}; it is shown only now.\n`,
    );
  };

  keys
    .command('create')
    .description('make an operator key, and print it (once)')
    .option('--name <name>', 'who or what holds it')
    .option(
      '--expires-in <duration>',
      'how long it lives: 30d, 12h… (default: until revoked)',
      duration,
    )
    .action(async (options: { name?: string; expiresIn?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const made = await clientFor(globals, env).operatorKeys.create({
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.expiresIn !== undefined ? { expires_in: options.expiresIn } : {}),
      });
      if (globals.json) io.stdout.write(json(made));
      else shown(made, 'Operator key');
    });

  keys
    .command('list')
    .alias('ls')
    .description('list the keys made through the API (never their secrets), oldest first')
    .option('--limit <n>', 'at most n keys (default: all)', positive)
    .action(async (options: { limit?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const all = await clientFor(globals, env)
        .operatorKeys.list({ limit: Math.min(options.limit ?? 100, 250) })
        .toArray(options.limit);
      if (globals.json) {
        io.stdout.write(json(all));
        return;
      }
      if (all.length === 0) {
        io.stdout.write('No operator keys yet: hookline operator-keys create --name <who>\n');
        return;
      }
      const dash = (text: string | null) => text ?? '-';
      io.stdout.write(
        table(
          ['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED', 'OLD KEY UNTIL'],
          all.map((k) => [
            k.id,
            dash(k.name),
            k.created_at,
            dash(k.expires_at),
            dash(k.last_used_at),
            dash(k.previous_key_expires_at),
          ]),
        ),
      );
    });

  keys
    .command('revoke')
    .description('stop a key (and the one it was rotated from) on every producer at once')
    .argument('<id>', 'operator key id (opk_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await clientFor(globals, env).operatorKeys.revoke(id);
      io.stdout.write(globals.json ? json({ id, revoked: true }) : `${id} is revoked\n`);
    });

  keys
    .command('rotate')
    .description("replace a key's secret; the old key keeps working for the grace period")
    .argument('<id>', 'operator key id (opk_…)')
    .option(
      '--grace <duration>',
      'how long the old key keeps working: 0s, 10m… (default: HOOKLINE_SECRET_ROTATION_GRACE)',
      grace,
    )
    .action(async (id: string, options: { grace?: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const rotated = await clientFor(globals, env).operatorKeys.rotate(
        id,
        options.grace !== undefined ? { grace: options.grace } : {},
      );
      if (globals.json) {
        io.stdout.write(json(rotated));
        return;
      }
      shown(rotated, 'New key for');
      io.stdout.write(
        rotated.previous_key_expires_at === null
          ? 'The old key no longer works.\n'
          : `The old key works until ${rotated.previous_key_expires_at}.\n`,
      );
    });
}
