import path from 'node:path';
import type { Config } from 'jest';

// One Jest project per workspace. Tests import sibling packages from their TypeScript
// source (not dist/), so a unit test never runs against a stale build.
const root = __dirname;
const packages = ['webhooks', 'core'];

const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
] as const;

function project(dir: string, name: string): Config {
  return {
    displayName: name,
    rootDir: path.join(root, dir),
    testEnvironment: 'node',
    // Integration tests wait on real Redis and real sockets; conditions, not sleeps, bound them.
    testTimeout: 30_000,
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: { '^.+\\.(t|j)sx?$': swc as unknown as [string, Record<string, unknown>] },
    moduleNameMapper: {
      [`^@hookline/(${packages.join('|')})$`]: `${root}/packages/$1/src/index.ts`,
      [`^@hookline/(${packages.join('|')})/(.+)$`]: `${root}/packages/$1/src/$2.ts`,
    },
  };
}

const config: Config = {
  projects: [
    project('packages/webhooks', 'webhooks'),
    project('packages/core', 'core'),
    project('apps/producer', 'producer'),
    project('apps/dispatcher', 'dispatcher'),
  ],
};

export default config;
