import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CLIENT_VERSION } from './version';

// The client's runtime is got and node: the contract (@hookline/api, @hookline/webhooks, zod) is
// there for its types. A value import would load zod's schemas into every publisher's process.
const TYPE_ONLY = ['@hookline/api', '@hookline/webhooks', 'zod', 'got'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return file.endsWith('.ts') && !file.endsWith('.test.ts') ? [file] : [];
  });
}

test.each(sources(__dirname).map((file) => [path.relative(__dirname, file), file]))(
  '%s imports core, webhooks, zod and got for types only',
  (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const statements = text.match(/^(import|export)\b[^;]*?from\s+'[^']+'/gms) ?? [];
    for (const statement of statements) {
      const from = /from\s+'([^']+)'/.exec(statement)?.[1];
      if (from && TYPE_ONLY.includes(from)) expect(statement).toMatch(/^(import|export) type\b/);
    }
  },
);

test('CLIENT_VERSION is the package version', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  expect(CLIENT_VERSION).toBe(pkg.version);
});

// What `npm install @hookline/client` brings: the run-time dependency closure, read from the
// installed packages' manifests. A publisher's SDK must not carry a queue, a Redis client,
// metrics or a web server.
const FORBIDDEN = ['@hookline/core', 'bullmq', 'ioredis', 'prom-client', 'pino', 'express'];

/** The manifest Node would load for `name` from `dir`: the nearest `node_modules/<name>` up the tree. */
function manifestOf(name: string, dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(at) === at) throw new Error(`${name} is not installed (from ${dir})`);
  }
}

function closure(name: string, from: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = manifestOf(name, from);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dependency of Object.keys(pkg.dependencies ?? {}))
    closure(dependency, path.dirname(manifest), seen);
  return seen;
}

test('the run-time dependency closure holds no Redis, queue, metrics or server package', () => {
  const installed = closure('@hookline/client', path.join(__dirname, '..'));
  expect(installed.has('@hookline/api')).toBe(true);
  expect(installed.has('got')).toBe(true);
  expect([...installed].filter((name) => FORBIDDEN.includes(name))).toEqual([]);
});
