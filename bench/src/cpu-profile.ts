import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** µs on the monotonic clock, the one `process.hrtime` reads (clock.ts `monotonicUs()`). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of a process's life to summarise, µs on the monotonic clock (clock.ts `monotonicUs()`). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of all sampled time, 0–100. */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time the process was busy (idle left out); percents are shares of it. */
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  /** Self time by where the code lives: a package, Hookline's own, node internals, GC, idle. */
  areas: SelfTime[];
}

/** `node_modules/bullmq/dist/cjs/classes/worker.js` → `bullmq/…/worker.js`. */
function shortUrl(url: string): string {
  const modules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:.*\/)?([^/]+)$/.exec(url);
  if (modules) return `${modules[1]}/…/${modules[2]}`;
  const own = /\/((?:apps|packages)\/[^/]+)\/dist\/(.+)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.replace(/^file:\/\//, '').replace(/^.*\//, '');
}

/** Where a frame's code lives, for the by-area totals. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (/^\((garbage collector|idle|program|root)\)$/.test(functionName)) return functionName;
    return '(native)';
  }
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return modules[1]!;
  const own = /\/((?:apps|packages)\/[^/]+)\/dist\//.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

function top(map: Map<string, number>, totalMs: number, limit: number): SelfTime[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({
      name,
      ms: Math.round(us / 100) / 10,
      percent: Math.round((us / 1000 / totalMs) * 1000) / 10,
    }));
}

/**
 * Self time per function and per area: each sample's time goes to the frame it was taken in.
 * V8 files a sample's interval under `timeDeltas` at the same index. With a `window`, only the
 * samples taken in it count: one phase of a process's life (the steady drain, the single
 * publishes) rather than all of it, start-up included.
 */
export function summarizeProfile(
  profile: CpuProfile,
  { limit = 15, window }: { limit?: number; window?: ProfileWindow } = {},
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    if (!frame || us <= 0) return;
    if (frame.url === '' && frame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    totalUs += us;
    const name = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  });
  const totalMs = totalUs / 1000;
  return {
    busyMs: Math.round(totalMs),
    idleMs: Math.round(idleUs / 1000),
    functions: top(byFunction, totalMs, limit),
    areas: top(byArea, totalMs, limit),
  };
}

/** A profile file and its summary (of `window`, when one was given). */
export interface ProfileRef {
  file: string;
  window: ProfileWindow | null;
  summary: ProfileSummary;
}

/** The newest `.cpuprofile` in `dir` written since `since` (ms since the epoch), or undefined. */
export function newestProfile(dir: string, since: number): string | undefined {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({ file: path.join(dir, name), mtime: statSync(path.join(dir, name)).mtimeMs }))
    .filter(({ mtime }) => mtime >= since)
    .sort((a, b) => b.mtime - a.mtime)[0]?.file;
}

/** A profile file summarised, over `window` or all of it. */
export function readProfile(file: string, window?: ProfileWindow): ProfileRef {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  return { file, window: window ?? null, summary: summarizeProfile(profile, { window }) };
}
