import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json } from '../io';

export function keysCommand(program: Command, { io, env }: ProgramContext): void {
  const keys = program
    .command('keys')
    .description('the keys stored secrets are sealed under (HOOKLINE_ENCRYPTION_KEYS)');

  keys
    .command('reseal')
    .description(
      'seal every stored secret again under the first key, online: after a new key is put first, before the old one is dropped',
    )
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const done = await clientFor(globals, env).encryptionKeys.reseal();
      io.stdout.write(
        globals.json
          ? json(done)
          : `Sealed again under the first key: ${done.resealed} endpoint(s); already under it: ${done.already_current}\n`,
      );
    });
}
