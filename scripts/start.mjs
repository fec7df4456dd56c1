#!/usr/bin/env node
// `npm start`: Hookline on this machine, producer and dispatcher, against REDIS_URL or a local
// Redis. When REDIS_URL is unset and nothing answers on 127.0.0.1:6379, a redis-server is started
// for the session (data under .hookline/redis, AOF on) and stopped on exit.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
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

async function main() {
  if (apps.some((app) => !existsSync(path.join(root, 'apps', app, 'dist', 'main.js')))) {
    console.log('hookline: building first (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const env = { ...process.env };
  await ensureRedis(env);
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
    const child = spawn(process.execPath, [path.join(root, 'apps', app, 'dist', 'main.js')], {
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
  // Services first (they finish in-flight work), Redis last.
  const redis = live.find((c) => c.spawnfile === 'redis-server');
  const services = live.filter((c) => c !== redis);
  let left = services.length;
  const done = () => {
    redis?.kill('SIGTERM');
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
