import type { Command } from 'commander';
import type { GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import type { ListenOptions } from '../listen';
import { collect, httpStatus, port, rate } from '../options';

export function listenCommand(program: Command, context: ProgramContext): void {
  program
    .command('listen')
    .description('receive deliveries locally: verify, print and answer each one')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', port, 4000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '-s, --secret <whsec|whpk>',
      "the endpoint's signing secret, or a v1a endpoint's public key, to verify signatures (repeatable during a rotation)",
      collect,
    )
    .option(
      '--status <code>',
      'answer this status (with --fail-rate: the status of the failures, default 500)',
      httpStatus,
    )
    .option('--fail-rate <0-1>', 'fail this share of deliveries, at random', rate)
    .action(async (options: ListenOptions, command: Command) => {
      const { json } = command.optsWithGlobals<GlobalOptions>();
      // Loaded here, not at start: @hookline/webhooks brings zod, a quarter of a second of
      // start-up that the API commands do not need.
      const { listen } = await import('../listen.js');
      await listen(options, json === true, context);
    });
}
