import path from 'node:path';
import type { Config } from 'jest';

// One Jest project per workspace. Tests import sibling packages from their TypeScript
// source (not dist/), so a unit test never runs against a stale build.
const root = __dirname;
const packages = ['webhooks', 'api', 'core'];

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

// got is ESM-only, and the client loads it with a real `import('got')` (tsc keeps `import()` in
// CommonJS output, and Node runs it). Jest's CommonJS runtime cannot load ESM without
// --experimental-vm-modules, so the projects that reach got compile node_modules with swc too
// (`transformIgnorePatterns: []`) and turn `import()` into `require` (`ignoreDynamic: false`).
// Their tests also import the producer and dispatcher they run in-process from source.
const swcWithDynamicImport = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs', ignoreDynamic: false },
  },
] as const;

function clientProject(dir: string, name: string): Config {
  const base = project(dir, name);
  return {
    ...base,
    transformIgnorePatterns: [],
    transform: {
      '^.+\\.(t|j)sx?$': swcWithDynamicImport as unknown as [string, Record<string, unknown>],
    },
    moduleNameMapper: {
      ...base.moduleNameMapper,
      '^@hookline/client$': `${root}/packages/client/src/index.ts`,
      '^@hookline/(producer|dispatcher)$': `${root}/apps/$1/src/index.ts`,
      // A relative `import('./x.js')` (node16 wants the extension) is `./x.ts` here.
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
  };
}

// The fault-injection suite (`npm run test:faults`, not part of `npm test`): each scenario runs the
// built producer and dispatchers as processes against a redis-server of its own, so its tests
// take minutes, not seconds, and each sets its own timeout.
function faultsProject(): Config {
  return { ...project('faults', 'faults'), testMatch: ['<rootDir>/**/*.faults.test.ts'] };
}

// The deployment files (compose, Kubernetes, dashboard, alert rules) checked against the code they
// deploy. docker/ is no workspace, so turbo does not see it: the root `npm test` runs this project
// after the workspaces' tests.
function dockerProject(): Config {
  return { ...project('docker', 'docker'), testMatch: ['<rootDir>/test/**/*.test.ts'] };
}

// The console's tests drive real headless Chromium against the built producer and dispatcher.
function consoleProject(): Config {
  return { ...project('apps/console', 'console'), testTimeout: 60_000 };
}

const config: Config = {
  // Jest reads the timeout from the root config only (a project's own is ignored): integration
  // tests wait on real Redis, sockets and processes on a shared 2-core machine.
  testTimeout: 60_000,
  projects: [
    project('packages/webhooks', 'webhooks'),
    project('packages/api', 'api'),
    project('packages/core', 'core'),
    project('apps/producer', 'producer'),
    project('apps/dispatcher', 'dispatcher'),
    clientProject('packages/client', 'client'),
    clientProject('apps/cli', 'cli'),
    project('bench', 'bench'),
    dockerProject(),
    consoleProject(),
    faultsProject(),
  ],
};

export default config;
