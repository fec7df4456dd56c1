import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CLIENT_VERSION } from './version';

// The client's runtime is got and node: @hookline/core (Redis, BullMQ) and zod are there for
// their types only. A value import of either would pull them into every publisher's process.
const TYPE_ONLY = ['@hookline/core', '@hookline/webhooks', 'zod', 'got'];

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
