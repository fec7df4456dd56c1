import { Command, CommanderError } from 'commander';
import { deliveriesCommand } from './commands/deliveries';
import { dlqCommand } from './commands/dlq';
import { endpointsCommand } from './commands/endpoints';
import { keysCommand } from './commands/keys';
import { listenCommand } from './commands/listen';
import { sendCommand } from './commands/send';
import { tenantsCommand } from './commands/tenants';
import { operatorKeysCommand } from './commands/operator-keys';
import { DEFAULT_URL } from './connection';
import type { ProgramContext } from './context';
import { describeError, EXIT, exitCodeOf } from './errors';
import { CLI_VERSION } from './version';

export type { ProgramContext } from './context';
export { EXIT } from './errors';

/** The `hookline` command, writing to `context.io`; nothing here reads `process`. */
export function createProgram(context: ProgramContext): Command {
  const { io } = context;
  const program = new Command('hookline')
    .description('Hookline from a shell: a local webhook receiver, and the producer API')
    .version(CLI_VERSION)
    .option('--url <url>', `the producer's URL (env HOOKLINE_URL, default ${DEFAULT_URL})`)
    .option('--api-key <key>', 'an API key (env HOOKLINE_API_KEY)')
    .option('--json', 'print JSON, for scripts')
    // Set before the subcommands are added: they inherit both.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line, its suggestion ("Did you mean send?") included.
      outputError: (text, write) =>
        write(
          `hookline: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()}\n`,
        ),
    })
    .showSuggestionAfterError();

  listenCommand(program, context);
  sendCommand(program, context);
  endpointsCommand(program, context);
  deliveriesCommand(program, context);
  dlqCommand(program, context);
  tenantsCommand(program, context);
  operatorKeysCommand(program, context);
  keysCommand(program, context);
  return program;
}

/**
 * Runs `hookline <argv…>` and returns its exit code: 0 done, 1 Hookline answered an error or
 * could not be reached, 2 the command was called wrong. Failures are one line on stderr.
 */
export async function run(argv: readonly string[], context: ProgramContext): Promise<number> {
  try {
    await createProgram(context).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // commander has printed its own message (or the help, or the version) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    context.io.stderr.write(`hookline: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}
