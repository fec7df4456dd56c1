#!/usr/bin/env node
// `npm start`: Hookline on this machine, producer and dispatcher, against REDIS_URL or a local
// Redis. When REDIS_URL is unset and nothing answers on 127.0.0.1:6379, a redis-server is started
// for the session (data under .hookline/redis, AOF on) and stopped on exit.
// The log (HOOKLINE_LOG_URL), when unset: a local Postgres if one answers on 127.0.0.1:5432 (its
// `hookline` database is created at start), else one started from the installed binaries (data
// under .hookline/postgres), else an embedded one (PGlite, data under .hookline/pglite). It says
// which in its first lines. Without HOOKLINE_ENCRYPTION_KEYS, both services seal stored secrets
// under a key they make once in .hookline/encryption-key and say so.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apps = ['producer', 'dispatcher'];
const children = [];

function redisAnswers(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function ensureRedis(env) {
  if (process.env.REDIS_URL) return;
  if (await redisAnswers(6379)) return;
  if (!hasCommand('redis-server')) {
    console.error(
      'hookline: no Redis answers on 127.0.0.1:6379 and redis-server is not installed; install it (apt-get install redis-server, brew install redis) or set REDIS_URL.',
    );
    process.exit(1);
  }
  const dir = path.join(root, '.hookline', 'redis');
  mkdirSync(dir, { recursive: true });
  const redis = spawn(
    'redis-server',
    ['--port', '6379', '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
    {
      stdio: 'ignore',
    },
  );
  children.push(redis);
  for (let i = 0; i < 100 && !(await redisAnswers(6379)); i++)
    await new Promise((r) => setTimeout(r, 100));
  console.log(
    `hookline: started redis-server for this session (data in ${path.relative(root, dir)})`,
  );
  env.REDIS_URL = 'redis://127.0.0.1:6379';
}

/** Whether a Postgres at `url` lets us in (node-postgres, from the workspace). */
async function postgresAnswers(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitForPostgres(url, tries = 100) {
  for (let i = 0; i < tries; i++) {
    if (await postgresAnswers(url)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** The directory of the installed Postgres server binaries (initdb, pg_ctl), if any. */
function postgresBinaries() {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0) return path.dirname(which.stdout.trim());
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  return versions
    .map((v) => path.join(base, v, 'bin'))
    .find((bin) => existsSync(path.join(bin, 'initdb')));
}

/** initdb and pg_ctl refuse root: as root they run as the `postgres` user, when there is one. */
function asPostgresUser(command, args) {
  if (process.getuid?.() !== 0) return [command, args];
  if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status !== 0) return undefined;
  return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

/** A Postgres of this session's own from the installed binaries, on port 5433. */
async function startOwnPostgres(bin) {
  const dir = path.join(root, '.hookline', 'postgres');
  const port = '5433';
  const url = `postgres://postgres@127.0.0.1:${port}/hookline`;
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) spawnSync('chown', ['postgres', dir], { stdio: 'ignore' });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    const init = asPostgresUser(path.join(bin, 'initdb'), [
      '-D',
      dir,
      '-U',
      'postgres',
      '--auth=trust',
    ]);
    if (!init || spawnSync(init[0], init[1], { stdio: 'ignore' }).status !== 0) return undefined;
  }
  const start = asPostgresUser(path.join(bin, 'pg_ctl'), [
    '-D',
    dir,
    '-l',
    path.join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  if (!start || spawnSync(start[0], start[1], { stdio: 'ignore' }).status !== 0) return undefined;
  ownPostgres = { bin, dir };
  return (await waitForPostgres(url.replace(/hookline$/, 'postgres'))) ? url : undefined;
}

/** An embedded Postgres (PGlite behind pglite-socket) in a child process, on port 5434. */
async function startEmbeddedPostgres() {
  const dir = path.join(root, '.hookline', 'pglite');
  mkdirSync(dir, { recursive: true });
  const port = '5434';
  const child = spawn(
    process.execPath,
    [path.join(root, 'scripts', 'embedded-postgres.mjs'), dir, port],
    {
      stdio: 'ignore',
    },
  );
  children.push(child);
  // PGlite holds one database, `postgres`: the log lives there.
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return (await waitForPostgres(url, 150)) ? url : undefined;
}

let ownPostgres;

async function ensureLog(env) {
  if (env.HOOKLINE_LOG_URL) {
    console.log('hookline: log: HOOKLINE_LOG_URL');
    return;
  }
  if (await postgresAnswers('postgres://postgres@127.0.0.1:5432/postgres')) {
    env.HOOKLINE_LOG_URL = 'postgres://postgres@127.0.0.1:5432/hookline';
    console.log('hookline: log: the local Postgres on 127.0.0.1:5432 (database hookline)');
    return;
  }
  const bin = postgresBinaries();
  const own = bin && (await startOwnPostgres(bin));
  if (own) {
    env.HOOKLINE_LOG_URL = own;
    console.log(
      `hookline: log: started a Postgres for this session on 127.0.0.1:5433 (data in .hookline/postgres)`,
    );
    return;
  }
  const embedded = await startEmbeddedPostgres();
  if (!embedded) {
    console.error(
      'hookline: no Postgres for the log: none answers on 127.0.0.1:5432, none could be started, and the embedded one did not start; set HOOKLINE_LOG_URL.',
    );
    stop(1);
    return;
  }
  env.HOOKLINE_LOG_URL = embedded;
  console.log(
    'hookline: log: an embedded Postgres (PGlite) on 127.0.0.1:5434 (data in .hookline/pglite); install Postgres for anything more than a try-out',
  );
}

async function main() {
  if (apps.some((app) => !existsSync(path.join(root, 'apps', app, 'dist', 'main.js')))) {
    console.log('hookline: building first (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const env = { ...process.env };
  await ensureRedis(env);
  await ensureLog(env);
  if (stopping) return;
  if (!env.HOOKLINE_API_KEYS) env.HOOKLINE_API_KEYS = `hl_${randomBytes(24).toString('hex')}`;
  // A local start delivers to local receivers (http://localhost:…) unless told otherwise.
  env.HOOKLINE_ALLOW_INSECURE_URLS ??= 'true';
  const port = env.PORT ?? '3000';
  console.log(
    `hookline: API on http://127.0.0.1:${port}  (Authorization: Bearer ${env.HOOKLINE_API_KEYS.split(',')[0]})`,
  );
  console.log(
    `hookline: dispatcher metrics on http://127.0.0.1:${env.METRICS_PORT ?? '9464'}/metrics`,
  );
  for (const app of apps) {
    // Both in the repository's root, so that without HOOKLINE_ENCRYPTION_KEYS they seal under the
    // one key in .hookline/encryption-key there, beside the session's Redis and Postgres data.
    const child = spawn(process.execPath, [path.join(root, 'apps', app, 'dist', 'main.js')], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    child.on('exit', (code) => {
      if (!stopping) {
        console.error(`hookline: ${app} exited (${code}); stopping`);
        stop(code ?? 1);
      }
    });
    children.push(child);
  }
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const live = children.filter((c) => c.exitCode === null);
  // Services first (they finish in-flight work), then Redis and the log's server.
  const redis = live.find((c) => c.spawnfile === 'redis-server');
  const services = live.filter((c) =>
    apps.some((app) => c.spawnargs.join(' ').includes(`apps/${app}/`)),
  );
  let left = services.length;
  const done = () => {
    redis?.kill('SIGTERM');
    for (const child of live)
      if (child !== redis && !services.includes(child)) child.kill('SIGTERM');
    if (ownPostgres) {
      const halt = asPostgresUser(path.join(ownPostgres.bin, 'pg_ctl'), [
        '-D',
        ownPostgres.dir,
        '-m',
        'fast',
        'stop',
      ]);
      if (halt) spawnSync(halt[0], halt[1], { stdio: 'ignore' });
    }
    process.exit(code);
  };
  if (left === 0) done();
  for (const child of services) {
    child.on('exit', () => --left === 0 && done());
    child.kill('SIGTERM');
  }
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

main().catch((error) => {
  console.error(`hookline: ${error.message}`);
  stop(1);
});
