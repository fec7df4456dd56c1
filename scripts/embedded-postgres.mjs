#!/usr/bin/env node
// An embedded Postgres for `npm start` on a machine with none: PGlite (Postgres compiled to
// WebAssembly, in this process) served over the Postgres wire protocol by pglite-socket, so that
// Hookline's services reach it like any other Postgres. For a local try-out only: one process,
// connections multiplexed onto PGlite's one session.
//   node scripts/embedded-postgres.mjs <data dir> <port>
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [dataDir, port = '5434'] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: embedded-postgres.mjs <data dir> <port>');
  process.exit(2);
}

const db = await PGlite.create(dataDir);
const server = new PGLiteSocketServer({
  db,
  port: Number(port),
  host: '127.0.0.1',
  maxConnections: 20,
});
await server.start();
process.stdout.write(`ready on 127.0.0.1:${port}\n`);

async function stop() {
  await server.stop().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
