#!/usr/bin/env node
import { run } from './program';

// The process edge: environment, signals, exit code. Everything else is in program.ts.

const stops: (() => void)[] = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // `listen` stops cleanly (and exits 0); any other command is cut short, as without a handler.
    if (stops.length === 0) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    for (const stop of stops.splice(0)) stop();
  });
}

void run(process.argv.slice(2), {
  io: {
    stdout: process.stdout,
    stderr: process.stderr,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  },
  env: { url: process.env.HOOKLINE_URL, apiKey: process.env.HOOKLINE_API_KEY },
  onStop: (stop) => stops.push(stop),
}).then((code) => {
  // Exit explicitly: the HTTP agent's keep-alive sockets would otherwise hold the process open
  // until the server closes them. Flush first: a pipe's writes can still be queued.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
