#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages (swc, turbo, …) that
// the registry mirror on our machines does not serve. npm records only what it could resolve,
// and `npm ci` then refuses the lock file as out of sync ("Missing: @swc/core-darwin-arm64@ from
// lock file"). Each added entry carries its os/cpu, so npm skips it on every other platform and
// never fetches it here. Idempotent; run it after any `npm install` that changes the lock file.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const OS = [
  [/darwin/, 'darwin'],
  [/win32|windows/, 'win32'],
  [/android/, 'android'],
  [/freebsd/, 'freebsd'],
  [/openharmony/, 'openharmony'],
  [/sunos/, 'sunos'],
  [/aix/, 'aix'],
  [/netbsd/, 'netbsd'],
  [/openbsd/, 'openbsd'],
  [/linux/, 'linux'],
];
const CPU = [
  [/arm64|aarch64/, 'arm64'],
  [/x64|-64\b|amd64/, 'x64'],
  [/ia32|-32\b/, 'ia32'],
  [/loong64/, 'loong64'],
  [/ppc64/, 'ppc64'],
  [/riscv64/, 'riscv64'],
  [/s390x/, 's390x'],
  [/wasm32/, 'wasm32'],
  [/-arm\b|arm-/, 'arm'],
];
const pick = (table, name) => table.find(([re]) => re.test(name))?.[1];

let added = 0;
for (const [where, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = where === '' ? '' : `${where}/`;
    const candidates = [`${base}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((key) => packages[key])) continue;
    const os = pick(OS, name);
    const cpu = pick(CPU, name.replace(/^@[^/]+\//, ''));
    if (!os && !cpu) continue; // not a platform package: leave it for npm to report
    packages[`node_modules/${name}`] = {
      version: spec.replace(/^[\^~=]/, ''),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(os ? { os: [os] } : {}),
      optional: true,
    };
    added += 1;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
