import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../connection';
import type { ProgramContext } from '../context';
import { json } from '../io';
import { collect, jsonObject, resource } from '../options';

interface SendOptions {
  data: string;
  resource?: { resource_type: string; id: string };
  endpoint?: string[];
  tenant?: string;
  idempotencyKey?: string;
}

export function sendCommand(program: Command, { io, env }: ProgramContext): void {
  program
    .command('send')
    .description('publish an event')
    .argument('<name>', 'event name, e.g. order.filled')
    .option('-d, --data <json>', 'event data: a JSON object, or @file.json', '{}')
    .option('--resource <type:id>', 'what the event is about, e.g. order:ord_123', resource)
    .option('--tenant <id>', 'for this tenant: only its endpoints get it (default: untenanted)')
    .option('--endpoint <id>', 'only to this endpoint (repeatable)', collect)
    .option('--idempotency-key <key>', 'Idempotency-Key (default: a new one per send)')
    .action(async (name: string, options: SendOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & SendOptions>();
      const data = jsonObject(options.data);
      const hookline = clientFor(globals, env);
      const published = await hookline.events.publish(
        {
          name,
          data,
          ...(options.tenant !== undefined ? { tenant_id: options.tenant } : {}),
          ...(options.resource ? { resource: options.resource } : {}),
          ...(options.endpoint ? { endpoint_ids: options.endpoint } : {}),
        },
        options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {},
      );
      const plural = published.deliveries === 1 ? 'delivery' : 'deliveries';
      const forTenant = options.tenant !== undefined ? ` for ${options.tenant}` : '';
      io.stdout.write(
        globals.json
          ? json(published)
          : `${published.id} published${forTenant} (${published.deliveries} ${plural})\n`,
      );
    });
}
