// The deployment files under docker/ against the code they deploy: the env variables that
// @hookline/core's config reads, the metrics it registers, the queue BullMQ uses, the entry
// points the apps build. Nothing here needs Docker, a cluster or Redis.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  ATTEMPT_RESULTS,
  ENV_VARIABLES,
  JOBS,
  QUEUE_NAMES,
  QUEUE_STATES,
  createMetrics,
  loadConfig,
  redisKeys,
  type Config,
} from '@hookline/core';

const root = path.resolve(__dirname, '../..');
const dockerDir = path.join(root, 'docker');
const k8sDir = path.join(dockerDir, 'k8s');
const envNames = new Set<string>(ENV_VARIABLES);
/** Labels Prometheus adds at scrape time (or relabelling does), allowed on any metric. */
const TARGET_LABELS = ['instance', 'pod', 'job'];

// --- loading ------------------------------------------------------------------------------------

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every document of a YAML file (`---` separated), with merge keys (`<<: *anchor`) resolved. */
function loadYaml(file: string): unknown[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { merge: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value: unknown = doc.toJS();
      return value;
    })
    .filter((value) => value !== null && value !== undefined);
}

const rel = (file: string) => path.relative(root, file);
const yamlFiles = filesUnder(dockerDir).filter((file) => /\.ya?ml$/.test(file));
const yamlByFile = new Map(yamlFiles.map((file) => [rel(file), loadYaml(file)]));

/** A compose `environment:` (values may be YAML numbers or booleans) as the strings a process gets. */
function envOf(service: {
  environment?: Record<string, string | number | boolean | null>;
}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')]),
  );
}

/** The configuration a process would start with, or the one-line error that would stop it. */
function configOf(env: Record<string, string>): Config | string {
  try {
    return loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
}

function only<T>(file: string): T {
  const docs = yamlByFile.get(path.join('docker', file));
  if (!docs || docs.length !== 1)
    throw new Error(
      `docker/${file}: expected one YAML document, found ${docs?.length ?? 'no file'}`,
    );
  return docs[0] as T;
}

/** `apps/<app>/dist/main.js` → its TypeScript source, which must exist (dist may not be built). */
function entryPointSource(script: string): string {
  const match = /^apps\/([a-z-]+)\/dist\/main\.js$/.exec(script);
  if (!match) throw new Error(`"${script}" is not an apps/<app>/dist/main.js entry point`);
  return path.join(root, 'apps', match[1]!, 'src', 'main.ts');
}

// --- shapes (only the fields checked) -----------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: unknown[];
  volumes?: string[];
  deploy?: { replicas?: number };
  depends_on?: string[] | Record<string, { condition: string }>;
  networks?: Record<string, { ipv4_address?: string } | null>;
  healthcheck?: { test: string | string[] };
  extends?: { file?: string; service: string };
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
}

/** A compose file mounts at least one file of the repository, and every one it mounts exists. */
function expectMountedFilesExist(services: Compose['services'], composeFile: string): void {
  const sources = Object.values(services)
    .flatMap((service) => service.volumes ?? [])
    .map((volume) => volume.split(':')[0]!)
    .filter((source) => source.startsWith('.') || source.startsWith('/'));
  expect(sources.length).toBeGreaterThan(0);
  const missing = sources.filter(
    (source) => !fs.existsSync(path.resolve(path.dirname(composeFile), source)),
  );
  expect(missing).toEqual([]);
}

/** A service's `depends_on`, either form, as service name → condition. */
function dependsOn(service: ComposeService): Record<string, string> {
  return Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(
        Object.entries(service.depends_on ?? {}).map(([name, d]) => [name, d.condition]),
      );
}

/** The HOOKLINE_LOG_URL a process gets, parsed, once its whole environment passes the config. */
function logUrlOf(env: Record<string, string>): URL {
  const config = configOf(env);
  if (typeof config === 'string') throw new Error(`does not start: ${config}`);
  if (env.HOOKLINE_LOG_URL === undefined) throw new Error('HOOKLINE_LOG_URL is not set');
  return new URL(env.HOOKLINE_LOG_URL.trim());
}

/**
 * A log URL names the Postgres its file runs, as the official image sets it up from its
 * environment: the user POSTGRES_USER (default `postgres`) with POSTGRES_PASSWORD, and the
 * database POSTGRES_DB.
 */
function expectLogsTo(
  url: URL,
  postgres: { host: string; port: number; env: Record<string, string | undefined> },
): void {
  expect(url.hostname).toBe(postgres.host);
  expect(Number(url.port || 5432)).toBe(postgres.port);
  expect(decodeURIComponent(url.username)).toBe(postgres.env.POSTGRES_USER ?? 'postgres');
  expect(decodeURIComponent(url.password)).toBe(postgres.env.POSTGRES_PASSWORD);
  expect(postgres.env.POSTGRES_DB).toBeDefined();
  expect(url.pathname).toBe(`/${postgres.env.POSTGRES_DB}`);
}

type PortRef = number | string;
interface Probe {
  httpGet?: { path: string; port: PortRef };
  tcpSocket?: { port: PortRef };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
  };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: unknown;
}
interface Deployment extends K8sObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}
interface StatefulSet extends Deployment {
  spec: Deployment['spec'] & {
    serviceName: string;
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
}
interface Service extends K8sObject {
  spec: {
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: PortRef }[];
  };
}
interface ScaleTargetRef {
  apiVersion?: string;
  kind?: string;
  name: string;
}
interface KedaTrigger {
  type: string;
  metricType?: string;
  metadata: Record<string, string>;
  authenticationRef?: { name: string };
}

// --- metrics the code registers --------------------------------------------------------------------

interface KnownMetric {
  type: string;
  labels: string[];
}

async function registeredMetrics(): Promise<Map<string, KnownMetric>> {
  const { registry } = createMetrics();
  try {
    const metrics = await registry.getMetricsAsJSON();
    return new Map(
      metrics.map((metric) => {
        // prom-client keeps a metric's declared label names on the metric object; the JSON
        // form only lists labels of values observed so far.
        const declared = registry.getSingleMetric(metric.name) as unknown as {
          labelNames?: readonly string[];
        };
        return [
          metric.name,
          { type: String(metric.type), labels: [...(declared.labelNames ?? [])] },
        ];
      }),
    );
  } finally {
    registry.clear();
  }
}

/** Label values the README's metrics table fixes, checked wherever an expression matches on them with `=`. */
const LABEL_VALUES: Record<string, readonly string[]> = {
  result: ATTEMPT_RESULTS,
  outcome: ['delivered', 'dead'],
  queue: QUEUE_NAMES,
  state: QUEUE_STATES,
};

const METRIC_NAME = /\b(hookline_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\b/g;

/** What is wrong with one PromQL expression against the registered metrics (empty: nothing). */
function promqlProblems(expr: string, known: Map<string, KnownMetric>): string[] {
  const problems: string[] = [];
  const used = new Map<string, KnownMetric>();
  let usesBuckets = false;
  for (const [, raw] of expr.matchAll(METRIC_NAME)) {
    const name = raw!;
    let metric = known.get(name);
    const suffix = /^(.+)_(bucket|sum|count)$/.exec(name);
    if (!metric && suffix && known.get(suffix[1]!)?.type === 'histogram') {
      metric = known.get(suffix[1]!);
      if (suffix[2] === 'bucket') usesBuckets = true;
    }
    if (!metric) problems.push(`${name} is not a registered metric`);
    else used.set(suffix && !known.has(name) ? suffix[1]! : name, metric);
  }
  const allowed = new Set([
    ...TARGET_LABELS,
    ...[...used.values()].flatMap((m) => m.labels),
    ...(usesBuckets ? ['le'] : []),
  ]);
  for (const [, list] of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    for (const label of list!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean)) {
      if (!allowed.has(label))
        problems.push(`groups by "${label}", which none of ${[...used.keys()].join(', ')} has`);
    }
  }
  for (const [, name, matchers] of expr.matchAll(
    /\b((?:hookline|process|nodejs)_[a-z0-9_]+)\s*\{([^}]*)\}/g,
  )) {
    const base = known.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '');
    const labels = new Set([
      ...TARGET_LABELS,
      ...(known.get(base)?.labels ?? []),
      ...(name !== base ? ['le'] : []),
    ]);
    for (const [, label, op, value] of matchers!.matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g,
    )) {
      if (!labels.has(label!)) problems.push(`${name} has no label "${label}"`);
      const values = LABEL_VALUES[label!];
      if (op === '=' && values && !values.includes(value!))
        problems.push(`${name}{${label}="${value}"}: not one of ${values.join(', ')}`);
    }
  }
  return problems;
}

// --- compose ------------------------------------------------------------------------------------

describe('docker/docker-compose.yml', () => {
  const composeFile = path.join(dockerDir, 'docker-compose.yml');
  const compose = only<Compose>('docker-compose.yml');
  const services = compose.services;
  const commandOf = (service: ComposeService) => [service.command ?? []].flat().join(' ');

  test('runs redis, postgres, producer, dispatcher, prometheus and grafana', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'redis',
        'postgres',
        'producer',
        'dispatcher',
        'prometheus',
        'grafana',
      ]),
    );
  });

  test('runs Postgres on a volume of its own, healthy when pg_isready answers over TCP', () => {
    const postgres = services.postgres!;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    const check = [postgres.healthcheck?.test ?? []].flat();
    expect(check.slice(0, 2)).toEqual(['CMD', 'pg_isready']);
    expect(check.join(' ')).toMatch(/-h\s+127\.0\.0\.1\b/);
  });

  test.each(['producer', 'dispatcher'])(
    '%s waits for a healthy Postgres and logs to it, with its password and database',
    (name) => {
      const service = services[name]!;
      expect(dependsOn(service)).toMatchObject({
        redis: 'service_healthy',
        postgres: 'service_healthy',
      });
      expectLogsTo(logUrlOf(envOf(service)), {
        host: 'postgres',
        port: 5432,
        env: envOf(services.postgres!),
      });
    },
  );

  test('runs more than one dispatcher, publishing no host port that replicas would fight over', () => {
    expect(services.dispatcher!.deploy?.replicas).toBeGreaterThan(1);
    expect(services.dispatcher!.ports ?? []).toEqual([]);
  });

  test('runs Redis with AOF persistence and noeviction', () => {
    const command = commandOf(services.redis!);
    expect(command).toMatch(/--appendonly\s+yes/);
    expect(command).toMatch(/--maxmemory-policy\s+noeviction/);
  });

  test.each(['producer', 'dispatcher'])(
    '%s runs an apps/<app>/dist/main.js whose src/main.ts exists',
    (name) => {
      const command = [services[name]!.command ?? []].flat();
      expect(command).toEqual([`apps/${name}/dist/main.js`]);
      for (const script of command) expect(fs.existsSync(entryPointSource(script))).toBe(true);
    },
  );

  test.each(['producer', 'dispatcher'])(
    '%s builds docker/Dockerfile from the repository root',
    (name) => {
      const build = services[name]!.build!;
      expect(path.resolve(dockerDir, build.context)).toBe(root);
      expect(fs.existsSync(path.join(root, build.dockerfile))).toBe(true);
    },
  );

  test.each(['producer', 'dispatcher'])('%s sets only variables Hookline reads', (name) => {
    const unknown = Object.keys(services[name]!.environment ?? {}).filter(
      (key) => !envNames.has(key),
    );
    expect(unknown).toEqual([]);
  });

  test.each(['producer', 'dispatcher'])(
    '%s starts: its environment passes the config, on one Redis and one shard',
    (name) => {
      const config = configOf(envOf(services[name]!));
      expect(config).toMatchObject({ redisCluster: false, shards: 1 });
    },
  );

  test('the producer has API keys of at least 16 characters (NODE_ENV=production refuses to start without)', () => {
    const env = services.producer!.environment!;
    expect(env.NODE_ENV).toBe('production');
    const keys = String(env.HOOKLINE_API_KEYS ?? '')
      .split(',')
      .filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.length).toBeGreaterThanOrEqual(16);
  });

  test('the producer and the dispatchers seal secrets with the same keys (NODE_ENV=production refuses to start without)', () => {
    const keysOf = (name: string) => (configOf(envOf(services[name]!)) as Config).encryptionKeys;
    expect(keysOf('producer').length).toBeGreaterThan(0);
    expect(keysOf('dispatcher')).toEqual(keysOf('producer'));
  });

  test('every file it mounts exists', () => {
    expectMountedFilesExist(services, composeFile);
  });

  test('Prometheus loads the mounted rules and scrapes compose services under the jobs the alerts select', () => {
    const prometheus = only<{
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; type: string; port: number }[];
      }[];
    }>('prometheus/prometheus.yml');
    const mounted = (services.prometheus!.volumes ?? []).map((volume) => volume.split(':')[1]!);
    for (const rules of prometheus.rule_files)
      expect(mounted).toContain(path.posix.resolve('/etc/prometheus', rules));

    const jobs = new Map(prometheus.scrape_configs.map((job) => [job.job_name, job]));
    expect([...jobs.keys()]).toEqual(
      expect.arrayContaining(['hookline-producer', 'hookline-dispatcher']),
    );
    expect(jobs.get('hookline-producer')!.static_configs?.flatMap((c) => c.targets)).toEqual([
      'producer:3000',
    ]);
    // Every replica is its own target: DNS A records of the service, on METRICS_PORT.
    expect(jobs.get('hookline-dispatcher')!.dns_sd_configs).toEqual([
      expect.objectContaining({ names: ['dispatcher'], type: 'A', port: 9464 }),
    ]);
    expect(String(services.dispatcher!.environment?.METRICS_PORT ?? 9464)).toBe('9464');
  });

  test("Grafana's provisioned datasource and dashboard path match the dashboard and the mounts", () => {
    const datasources = only<{ datasources: { uid: string; type: string; url: string }[] }>(
      'grafana/provisioning/datasources/prometheus.yml',
    );
    const providers = only<{ providers: { options: { path: string } }[] }>(
      'grafana/provisioning/dashboards/hookline.yml',
    );
    const mounts = (services.grafana!.volumes ?? []).map((volume) => volume.split(':'));
    const dashboardMount = mounts.find(([source]) => source === './grafana/hookline.json');
    expect(dashboardMount).toBeDefined();
    expect(path.posix.dirname(dashboardMount![1]!)).toBe(providers.providers[0]!.options.path);
    expect(datasources.datasources[0]).toMatchObject({
      uid: 'prometheus',
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
  });
});

// --- compose, on a Redis Cluster ----------------------------------------------------------------

describe('docker/docker-compose.cluster.yml', () => {
  const composeFile = path.join(dockerDir, 'docker-compose.cluster.yml');
  const compose = only<Compose>('docker-compose.cluster.yml');
  const services = compose.services;
  const commandOf = (service: ComposeService) => [service.command ?? []].flat().join(' ');
  const nodes = Object.entries(services).filter(([, service]) =>
    /--cluster-enabled\s+yes/.test(commandOf(service)),
  );
  const addressOf = (service: ComposeService) =>
    Object.values(service.networks ?? {}).find((n) => n?.ipv4_address)?.ipv4_address;
  const init = Object.entries(services).find(([, service]) =>
    /redis-cli\s+--cluster\s+create/.test(commandOf(service)),
  );

  test('runs six cluster-enabled Redis nodes, each with AOF, noeviction and a volume of its own', () => {
    expect(nodes).toHaveLength(6);
    for (const [, node] of nodes) {
      const command = commandOf(node);
      expect(command).toMatch(/--appendonly\s+yes/);
      expect(command).toMatch(/--maxmemory-policy\s+noeviction/);
      expect(node.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    }
    const volumes = nodes.map(([, node]) => node.volumes!.find((v) => v.endsWith(':/data')));
    expect(new Set(volumes).size).toBe(6);
  });

  test("gives every node a fixed address in the project network's subnet", () => {
    const subnet = compose.networks?.default?.ipam?.config?.[0]?.subnet;
    expect(subnet).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
    const base = subnet!.replace(/\.0\/24$/, '.');
    const addresses = nodes.map(([, node]) => addressOf(node));
    for (const address of addresses) expect(address?.startsWith(base)).toBe(true);
    expect(new Set(addresses).size).toBe(6);
  });

  test('a one-shot service creates the cluster from every node, one replica per master, after all are healthy', () => {
    expect(init).toBeDefined();
    const [, service] = init!;
    const command = commandOf(service);
    for (const [, node] of nodes) expect(command).toContain(`${addressOf(node)}:6379`);
    expect(command).toMatch(/--cluster-replicas\s+1\b/);
    expect(command).toMatch(/--cluster-yes\b/);
    expect(dependsOn(service)).toEqual(
      Object.fromEntries(nodes.map(([name]) => [name, 'service_healthy'])),
    );
  });

  test.each(['producer', 'dispatcher'])(
    '%s starts after the cluster is created and Postgres is healthy, on the same image and entry point as docker-compose.yml',
    (name) => {
      const service = services[name]!;
      expect(dependsOn(service)).toMatchObject({
        [init![0]]: 'service_completed_successfully',
        postgres: 'service_healthy',
      });
      expect([service.command ?? []].flat()).toEqual([`apps/${name}/dist/main.js`]);
      expect(path.resolve(dockerDir, service.build!.context)).toBe(root);
      expect(fs.existsSync(path.join(root, service.build!.dockerfile))).toBe(true);
    },
  );

  test.each(['producer', 'dispatcher'])(
    '%s sets only variables Hookline reads, and they configure the cluster with 12 shards',
    (name) => {
      const env = envOf(services[name]!);
      expect(Object.keys(env).filter((key) => !envNames.has(key))).toEqual([]);
      const config = configOf(env);
      expect(config).toMatchObject({ redisCluster: true, shards: 12, queuePrefix: 'hookline' });
      // Seeds are cluster nodes of this file, by service name.
      const seeds = (config as Config).redisUrl.split(',').map((url) => new URL(url.trim()));
      expect(seeds.length).toBeGreaterThan(1);
      for (const seed of seeds) expect(nodes.map(([node]) => node)).toContain(seed.hostname);
    },
  );

  test('the producer and the dispatchers share every Redis setting and the log', () => {
    const sharedSettings = (name: string) => {
      const env = envOf(services[name]!);
      return [
        'REDIS_URL',
        'REDIS_CLUSTER',
        'HOOKLINE_SHARDS',
        'HOOKLINE_QUEUE_PREFIX',
        'HOOKLINE_LOG_URL',
      ].map((key) => env[key]);
    };
    expect(sharedSettings('dispatcher')).toEqual(sharedSettings('producer'));
  });

  test("runs docker-compose.yml's Postgres, on this project's volume, and logs to it as that file does", () => {
    expect(services.postgres!.extends).toEqual({
      file: 'docker-compose.yml',
      service: 'postgres',
    });
    const main = only<Compose>('docker-compose.yml').services;
    const volume = main.postgres!.volumes![0]!.split(':')[0]!;
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    for (const name of ['producer', 'dispatcher'])
      expect(envOf(services[name]!).HOOKLINE_LOG_URL).toBe(envOf(main[name]!).HOOKLINE_LOG_URL);
  });

  test('runs several dispatchers, Prometheus and Grafana as docker-compose.yml does, and every file it mounts exists', () => {
    expect(services.dispatcher!.deploy?.replicas).toBeGreaterThan(1);
    expect(services.dispatcher!.ports ?? []).toEqual([]);
    const main = only<Compose>('docker-compose.yml').services;
    for (const name of ['prometheus', 'grafana'])
      expect(services[name]!.volumes).toEqual(main[name]!.volumes);
    expectMountedFilesExist(services, composeFile);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(dockerDir, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  /** Each build stage's instructions (comments dropped, continuation lines joined), by stage name. */
  const stages = new Map(
    dockerfile
      .replace(/^\s*#.*\n/gm, '')
      .replace(/\\\n/g, ' ')
      .split(/^(?=FROM )/m)
      .map((stage) => [/^FROM \S+ AS (\S+)/.exec(stage)?.[1] ?? '', stage] as const),
  );

  test('prunes with turbo, builds, and runs as a non-root numeric user with NODE_ENV=production', () => {
    expect(dockerfile).toMatch(
      /\bturbo\S* prune @hookline\/producer @hookline\/dispatcher --docker/,
    );
    expect(dockerfile).toMatch(/npm ci --omit=dev|npm prune --omit=dev/);
    expect(runtime).toMatch(/^USER [1-9]\d*(:\d+)?$/m);
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(runtime).toMatch(/^EXPOSE 3000 9464$/m);
  });

  test('starts the producer by default, from an entry point that exists', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(runtime);
    expect(cmd).not.toBeNull();
    const args = JSON.parse(cmd![1]!) as string[];
    expect(args).toEqual(['apps/producer/dist/main.js']);
    expect(fs.existsSync(entryPointSource(args[0]!))).toBe(true);
  });

  // `npm ci --omit=dev` keeps typescript: an optional peer of a production dependency, which the
  // lockfile marks dev and optional at once. The commands after the install run here on a
  // stand-in node_modules, since a pattern that misses the top-level copy still looks right.
  test('the runtime gets node_modules from a production install whose typescript is deleted', () => {
    const froms = [...runtime.matchAll(/^COPY --from=(\S+) \/app\/ \.\/$/gm)].map((m) => m[1]!);
    expect(froms).toHaveLength(1);
    const install = (stages.get(froms[0]!) ?? '')
      .split('\n')
      .find((line) => /^RUN .*\bnpm ci --omit=dev\b/.test(line));
    expect(install).toBeDefined();
    const after = install!.split(/\bnpm ci --omit=dev\s*&&/)[1];
    expect(after).toBeDefined();

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookline-deps-'));
    try {
      const stand = (file: string) => {
        fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), '');
      };
      stand('node_modules/typescript/package.json');
      stand('node_modules/some-dep/node_modules/typescript/package.json');
      stand('node_modules/.bin/tsc');
      stand('node_modules/valibot/package.json');
      stand('node_modules/some-dep/dist/typescript/index.js');
      const run = spawnSync('sh', ['-c', after!], { cwd: dir, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(
        filesUnder(dir)
          .map((file) => path.relative(dir, file))
          .sort(),
      ).toEqual([
        'node_modules/some-dep/dist/typescript/index.js',
        'node_modules/valibot/package.json',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('keeps node_modules, dist, .git, .turbo and bench/results out of the build context', () => {
    const ignore = fs
      .readFileSync(path.join(dockerDir, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ignore).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.git', '**/.turbo', 'bench/results']),
    );
  });
});

// --- Kubernetes ---------------------------------------------------------------------------------

describe('docker/k8s', () => {
  const objects = [...yamlByFile.entries()]
    .filter(([file]) => file.startsWith(rel(k8sDir) + path.sep))
    .flatMap(([, docs]) => docs as K8sObject[]);
  const ofKind = <T extends K8sObject>(kind: string) =>
    objects.filter((o) => o.kind === kind) as T[];
  const deployments = ofKind<Deployment>('Deployment');
  const statefulSets = ofKind<StatefulSet>('StatefulSet');
  const containers = deployments.flatMap((d) => d.spec.template.spec.containers);
  const scriptOf = (c: Container) =>
    [...(c.command ?? []), ...(c.args ?? [])].find((arg) => arg.endsWith('/dist/main.js'));
  const deploymentRunning = (app: string) => {
    const found = deployments.find((d) =>
      d.spec.template.spec.containers.some((c) => scriptOf(c) === `apps/${app}/dist/main.js`),
    );
    if (!found) throw new Error(`no Deployment runs apps/${app}/dist/main.js`);
    return found;
  };
  const dispatcher = deploymentRunning('dispatcher');
  const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => labels[key] === value);
  const portMatches = (ref: PortRef | undefined, c: Container) =>
    (c.ports ?? []).some((p) =>
      typeof ref === 'number'
        ? p.containerPort === ref
        : p.name === ref || String(p.containerPort) === ref,
    );

  const secretData = (name: string | undefined): Record<string, string> => {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
    return { ...secret?.data, ...secret?.stringData };
  };
  /** What a Deployment's containers get from Secrets: envFrom, and env entries with a secretKeyRef. */
  const secretEnv = (d: Deployment): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const c of d.spec.template.spec.containers) {
      for (const from of c.envFrom ?? []) Object.assign(env, secretData(from.secretRef?.name));
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        const value = ref && secretData(ref.name)[ref.key];
        if (value !== undefined) env[e.name] = value;
      }
    }
    return env;
  };

  test('every YAML under docker/ parses', () => {
    expect(yamlFiles.length).toBeGreaterThan(10);
    expect(
      objects.every((o) => typeof o.kind === 'string' && typeof o.metadata?.name === 'string'),
    ).toBe(true);
  });

  test('deploys the producer and the dispatcher, all in one namespace', () => {
    deploymentRunning('producer');
    const namespaces = new Set(
      objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace),
    );
    expect([...namespaces]).toEqual(['hookline']);
  });

  test('every Deployment runs the same image', () => {
    expect(containers.length).toBeGreaterThanOrEqual(2);
    expect(new Set(containers.map((c) => c.image)).size).toBe(1);
  });

  test('every container runs an apps/<app>/dist/main.js whose src/main.ts exists', () => {
    for (const c of containers) {
      const script = scriptOf(c);
      expect(script).toBeDefined();
      expect(fs.existsSync(entryPointSource(script!))).toBe(true);
    }
  });

  test('every probe targets a declared containerPort', () => {
    for (const c of containers) {
      const probes = [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(
        (p): p is Probe => p !== undefined,
      );
      expect(probes.length).toBeGreaterThanOrEqual(2);
      for (const probe of probes)
        expect(portMatches(probe.httpGet?.port ?? probe.tcpSocket?.port, c)).toBe(true);
    }
  });

  test('the producer is ready on /readyz and alive on /healthz; the dispatcher serves /healthz on 9464', () => {
    const producer = deploymentRunning('producer').spec.template.spec.containers[0]!;
    expect(producer.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(producer.livenessProbe?.httpGet?.path).toBe('/healthz');
    const worker = dispatcher.spec.template.spec.containers[0]!;
    expect(worker.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(worker.ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'metrics', containerPort: 9464 })]),
    );
  });

  test('PORT and METRICS_PORT, where set, are declared containerPorts', () => {
    for (const c of containers) {
      for (const variable of (c.env ?? []).filter(
        (e) => e.name === 'PORT' || e.name === 'METRICS_PORT',
      )) {
        expect(portMatches(Number(variable.value), c)).toBe(true);
      }
    }
  });

  test("every Service selects a Deployment's or StatefulSet's pods and targets one of its ports", () => {
    const services = ofKind<Service>('Service');
    expect(services.length).toBeGreaterThanOrEqual(3);
    for (const service of services) {
      const target = [...deployments, ...statefulSets].find((d) =>
        selects(service.spec.selector, d.spec.template.metadata.labels),
      );
      expect(target).toBeDefined();
      for (const port of service.spec.ports) {
        const ref = port.targetPort ?? port.port;
        expect(target!.spec.template.spec.containers.some((c) => portMatches(ref, c))).toBe(true);
      }
    }
  });

  test("every Deployment's and StatefulSet's selector matches its own pod labels", () => {
    for (const d of [...deployments, ...statefulSets])
      expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
  });

  test('every env variable, ConfigMap key and envFrom Secret key is one Hookline reads', () => {
    const byName = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name);
    const keys: string[] = ofKind('ConfigMap').flatMap((cm) => Object.keys(cm.data ?? {}));
    for (const c of containers) {
      keys.push(...(c.env ?? []).map((e) => e.name));
      for (const from of c.envFrom ?? []) {
        const source = from.configMapRef
          ? byName('ConfigMap', from.configMapRef.name)
          : byName('Secret', from.secretRef!.name);
        expect(source).toBeDefined();
        keys.push(...Object.keys({ ...source!.data, ...source!.stringData }));
      }
    }
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.filter((key) => !envNames.has(key))).toEqual([]);
  });

  test('the producer gets REDIS_URL, HOOKLINE_LOG_URL, HOOKLINE_API_KEYS and HOOKLINE_ENCRYPTION_KEYS from Secrets, the dispatcher REDIS_URL, HOOKLINE_LOG_URL and HOOKLINE_ENCRYPTION_KEYS', () => {
    expect(Object.keys(secretEnv(deploymentRunning('producer')))).toEqual(
      expect.arrayContaining([
        'REDIS_URL',
        'HOOKLINE_LOG_URL',
        'HOOKLINE_API_KEYS',
        'HOOKLINE_ENCRYPTION_KEYS',
      ]),
    );
    expect(Object.keys(secretEnv(dispatcher))).toEqual(
      expect.arrayContaining(['REDIS_URL', 'HOOKLINE_LOG_URL', 'HOOKLINE_ENCRYPTION_KEYS']),
    );
  });

  test('no ConfigMap holds a password: the variables that carry one are in Secrets, and no URL has credentials', () => {
    const configMaps = ofKind('ConfigMap');
    expect(configMaps.length).toBeGreaterThan(0);
    for (const cm of configMaps)
      for (const [key, value] of Object.entries(cm.data ?? {})) {
        expect([
          'REDIS_URL',
          'HOOKLINE_LOG_URL',
          'HOOKLINE_API_KEYS',
          'HOOKLINE_ENCRYPTION_KEYS',
        ]).not.toContain(key);
        expect(key).not.toMatch(/PASSWORD/);
        expect(String(value)).not.toMatch(/:\/\/[^/\s@]*:[^/\s@]*@/);
      }
  });

  test('HOOKLINE_RETENTION in the ConfigMap is the 30 days the Postgres log is sized for', () => {
    const retention = ofKind('ConfigMap')
      .map((cm) => cm.data?.HOOKLINE_RETENTION)
      .filter(Boolean);
    expect(retention).toEqual(['30d']);
  });

  test("a Postgres StatefulSet keeps its data on a claim of its own, behind the Service in the producer's and dispatchers' HOOKLINE_LOG_URL", () => {
    const postgres = statefulSets.find((s) =>
      s.spec.template.spec.containers.some((c) => /^postgres:\d+/.test(c.image)),
    );
    expect(postgres).toBeDefined();
    const pod = postgres!.spec.template.spec;
    const container = pod.containers[0]!;
    const claims = (postgres!.spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name);
    const dataMount = (container.volumeMounts ?? []).find((m) =>
      m.mountPath.startsWith('/var/lib/postgresql'),
    );
    expect(claims).toContain(dataMount?.name);
    expect(container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);

    const service = ofKind<Service>('Service').find(
      (s) => s.metadata.name === postgres!.spec.serviceName,
    );
    expect(service).toBeDefined();
    expect(selects(service!.spec.selector, postgres!.spec.template.metadata.labels)).toBe(true);
    const port = service!.spec.ports.find((p) => portMatches(p.targetPort ?? p.port, container));
    expect(port).toBeDefined();

    // The password it is initialised with comes from a Secret, and is the one in the log URL.
    const passwordRef = container.env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom
      ?.secretKeyRef;
    expect(passwordRef).toBeDefined();
    const env: Record<string, string | undefined> = {
      ...Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value])),
      POSTGRES_PASSWORD: secretData(passwordRef!.name)[passwordRef!.key],
    };
    const host = `${service!.metadata.name}.${service!.metadata.namespace}.svc.cluster.local`;
    for (const d of [deploymentRunning('producer'), dispatcher])
      expectLogsTo(logUrlOf(secretEnv(d)), { host, port: port!.port, env });
  });

  test('every container runs as non-root on a read-only root filesystem', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      for (const c of pod.containers) {
        expect(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
      }
    }
  });

  test('a stopping dispatcher gets its preStop sleep plus the ~30 s drain before SIGKILL', () => {
    const pod = dispatcher.spec.template.spec;
    const preStop = pod.containers[0]!.lifecycle?.preStop;
    expect(preStop).toBeDefined();
    const sleep =
      preStop!.sleep?.seconds ??
      Number(/^sleep$/.test(preStop!.exec?.command[0] ?? '') ? preStop!.exec!.command[1] : NaN);
    expect(sleep).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30 + sleep);
  });

  test('the PodDisruptionBudget, HPA and ScaledObject all target the dispatcher Deployment', () => {
    const pdbs = ofKind<
      K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }
    >('PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(0);
    for (const pdb of pdbs)
      expect(selects(pdb.spec.selector.matchLabels, dispatcher.spec.template.metadata.labels)).toBe(
        true,
      );
    const scalers = [
      ...ofKind('HorizontalPodAutoscaler'),
      ...ofKind('ScaledObject'),
    ] as (K8sObject & { spec: { scaleTargetRef: ScaleTargetRef } })[];
    expect(scalers.map((s) => s.kind).sort()).toEqual(['HorizontalPodAutoscaler', 'ScaledObject']);
    for (const scaler of scalers) {
      expect(scaler.spec.scaleTargetRef).toMatchObject({ name: dispatcher.metadata.name });
      expect(scaler.spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
    }
  });

  test('the ConfigMap and Secrets each Deployment reads form a configuration Hookline starts with', () => {
    const byName = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name);
    for (const c of containers) {
      const env: Record<string, string> = {};
      for (const from of c.envFrom ?? []) {
        const source = from.configMapRef
          ? byName('ConfigMap', from.configMapRef.name)
          : byName('Secret', from.secretRef!.name);
        Object.assign(env, source?.data, source?.stringData);
      }
      for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
      const config = configOf(env);
      expect(typeof config === 'string' ? config : 'starts').toBe('starts');
    }
  });

  // Hookline's own gauge, not a Redis list: with shards, the waiting jobs are in one wait list
  // per shard, and an HPA takes the largest of its metrics, so one redis trigger per shard would
  // scale on the busiest shard alone. Every process reports the sum over the shards.
  test("KEDA scales on Hookline's deliveries-waiting gauge, taken once (max) from Prometheus", async () => {
    const known = await registeredMetrics();
    const scaledObject = ofKind<K8sObject & { spec: { triggers: KedaTrigger[] } }>(
      'ScaledObject',
    )[0]!;
    const prometheus = scaledObject.spec.triggers.find((t) => t.type === 'prometheus');
    expect(prometheus).toBeDefined();
    const { query, threshold, serverAddress } = prometheus!.metadata;
    expect(promqlProblems(query!, known)).toEqual([]);
    expect(query).toMatch(
      new RegExp(`^max\\(hookline_queue_jobs\\{[^}]*\\bqueue="${JOBS.deliver.queue}"[^}]*\\}\\)$`),
    );
    expect(query).toMatch(/\bstate="waiting"/);
    // The job selector, if any, names jobs the README's relabelling gives the pods.
    for (const [, jobs] of query!.matchAll(/\bjob=~?"([^"]+)"/g))
      for (const job of ['hookline-producer', 'hookline-dispatcher'])
        expect(new RegExp(`^(?:${jobs})$`).test(job)).toBe(true);
    expect(Number(threshold)).toBeGreaterThan(0);
    expect(prometheus!.metricType ?? 'AverageValue').toBe('AverageValue');
    expect(serverAddress).toMatch(/^https?:\/\/\S+$/);
  });

  test("the commented-out single-shard alternative names shard 0's BullMQ wait list", () => {
    const prefix =
      ofKind('ConfigMap')
        .map((cm) => cm.data?.HOOKLINE_QUEUE_PREFIX)
        .find(Boolean) ?? 'hookline';
    const text = fs.readFileSync(path.join(k8sDir, 'dispatcher-keda.yaml'), 'utf8');
    const listName = `${redisKeys(prefix, 1).shard(0)}:${JOBS.deliver.queue}:wait`;
    expect(listName).toBe('{hookline:0}:deliveries:wait');
    expect(text).toMatch(
      new RegExp(`^#\\s+listName: '${listName.replace(/[{}]/g, '\\$&')}'$`, 'm'),
    );
  });
});

// --- dashboard and alerts -----------------------------------------------------------------------

interface Panel {
  title?: string;
  type: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: {
    list: { name: string; type: string; query?: string; current?: { value?: string } }[];
  };
}
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('docker/grafana/hookline.json and docker/prometheus/alerts.yml', () => {
  const dashboard = JSON.parse(
    fs.readFileSync(path.join(dockerDir, 'grafana', 'hookline.json'), 'utf8'),
  ) as Dashboard;
  const panels = dashboard.panels
    .flatMap((p) => [p, ...(p.panels ?? [])])
    .filter((p) => p.type !== 'row');
  const dashboardExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const rules = only<{ groups: { name: string; rules: Rule[] }[] }>(
    'prometheus/alerts.yml',
  ).groups.flatMap((g) => g.rules);
  let known: Map<string, KnownMetric>;

  beforeAll(async () => {
    known = await registeredMetrics();
  });

  test('the registry lists the documented metrics with their labels (sanity check of this test)', () => {
    expect(known.get('hookline_delivery_attempts_total')?.labels).toEqual([
      'result',
      'destination_type',
    ]);
    expect(known.get('hookline_queue_jobs')?.labels).toEqual(['queue', 'state']);
    expect(known.get('hookline_delivery_duration_seconds')?.type).toBe('histogram');
    expect(known.has('process_cpu_seconds_total')).toBe(true);
  });

  test('every dashboard expression uses registered metrics, their labels and their label values', () => {
    expect(dashboardExprs.length).toBeGreaterThan(10);
    const problems = dashboardExprs.flatMap((expr) =>
      promqlProblems(expr, known).map((p) => `${expr}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  test('every Hookline metric is on the dashboard', () => {
    const shown = dashboardExprs.join('\n');
    const missing = [...known.keys()].filter(
      (name) =>
        name.startsWith('hookline_') &&
        !new RegExp(`\\b${name}(_bucket|_sum|_count)?\\b`).test(shown),
    );
    expect(missing).toEqual([]);
  });

  test('the per-pod panels cover memory, CPU and event loop lag', () => {
    for (const metric of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(
        dashboardExprs.some((expr) => expr.includes(metric) && /by \([^)]*\binstance\b/.test(expr)),
      ).toBe(true);
    }
  });

  // Every process reports the same deployment-wide figure for these: the queue summed over the
  // Redis shards, the dead letter counted in the log, the lag read from every shard's change
  // stream. max takes it once; sum would multiply it by the number of processes scraped.
  test('deployment-wide gauges are aggregated with max, never sum', () => {
    const gauges = ['hookline_queue_jobs', 'hookline_dead_letter_size', 'hookline_log_lag_seconds'];
    // `op(gauge`, `op by (...) (gauge`: the aggregation applied straight to one of the gauges.
    const aggregated = (op: string, names: string[]) =>
      new RegExp(`\\b${op}\\b[^()]*(\\([^)]*\\))?\\s*\\(\\s*(${names.join('|')})\\b`);
    const withoutMax = gauges.filter(
      (gauge) => !dashboardExprs.some((expr) => aggregated('max', [gauge]).test(expr)),
    );
    expect(withoutMax).toEqual([]);
    for (const expr of [...dashboardExprs, ...rules.map((r) => r.expr)]) {
      expect(expr).not.toMatch(aggregated('sum', gauges));
    }
  });

  test('every panel queries the provisioned Prometheus datasource', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable?.current?.value).toBe('prometheus');
    for (const panel of panels)
      expect(panel.datasource?.uid).toMatch(
        new RegExp(`^(prometheus|\\$\\{${variable!.name}\\})$`),
      );
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  });

  test('the nine alerts exist, each with a severity, a summary and a runbook', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'HooklineDeadLetterGrowing',
        'HooklineDeadLetteringFast',
        'HooklineSuccessRatioLow',
        'HooklineQueueBacklogGrowing',
        'HooklineNoDispatcher',
        'HooklineProducerDown',
        'HooklineApiErrors',
        'HooklineDispatcherStalled',
        'HooklineLogLagging',
      ]),
    );
    for (const rule of rules.filter((r) => r.alert)) {
      expect(rule.labels?.severity).toMatch(/^(critical|warning|info)$/);
      expect(rule.annotations?.summary?.trim()).toBeTruthy();
      expect(rule.annotations?.runbook?.trim()).toBeTruthy();
    }
  });

  test('every alert expression uses registered metrics, their labels and their label values', () => {
    const problems = rules.flatMap((rule) =>
      promqlProblems(rule.expr, known).map((p) => `${rule.alert ?? rule.record}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  test('every metric an alert watches is on the dashboard, for whoever the alert wakes', () => {
    const shown = new Set(dashboardExprs.flatMap((expr) => expr.match(METRIC_NAME) ?? []));
    const unseen = rules.flatMap((rule) =>
      (rule.expr.match(METRIC_NAME) ?? [])
        .filter((name) => !shown.has(name))
        .map((name) => `${rule.alert ?? rule.record}: ${name}`),
    );
    expect(unseen).toEqual([]);
  });

  test('every job the alerts and the dashboard select is scraped by prometheus.yml', () => {
    const jobs = only<{ scrape_configs: { job_name: string }[] }>(
      'prometheus/prometheus.yml',
    ).scrape_configs.map((c) => c.job_name);
    const selected = [...dashboardExprs, ...rules.map((r) => r.expr)].flatMap((expr) =>
      [...expr.matchAll(/\bjob="([^"]+)"/g)].map((m) => m[1]!),
    );
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.filter((job) => !jobs.includes(job))).toEqual([]);
  });
});
