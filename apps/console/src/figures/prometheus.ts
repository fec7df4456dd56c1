/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of `names` in a text exposition (comments and other metrics skipped). */
export function parseSamples(text: string, names: readonly string[]): Sample[] {
  const wanted = new Set(names);
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match || !wanted.has(match[1]!)) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL))
      labels[name!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Jobs of the deliveries queue that are not finished: waiting, running or deferred to a retry. */
const PENDING_STATES = new Set(['waiting', 'active', 'delayed']);

/**
 * What the producer's `/metrics` says about the whole system: deliveries still to go (the
 * deliveries queue's waiting, active and delayed jobs, `hookline_queue_jobs`) and the dead
 * letter (`hookline_dead_letter_size`). Samples are summed, so a deployment that splits a queue
 * or the dead letter into several labelled series (`deliveries…`) still adds up. Undefined for
 * a figure the text does not carry.
 */
export function queueFigures(text: string): { pending?: number; deadLetter?: number } {
  const samples = parseSamples(text, ['hookline_queue_jobs', 'hookline_dead_letter_size']);
  const jobs = samples.filter(
    (s) =>
      s.name === 'hookline_queue_jobs' &&
      (s.labels.queue ?? '').startsWith('deliveries') &&
      PENDING_STATES.has(s.labels.state ?? ''),
  );
  const dead = samples.filter((s) => s.name === 'hookline_dead_letter_size');
  const sum = (list: Sample[]) =>
    list.length > 0 ? list.reduce((total, s) => total + s.value, 0) : undefined;
  return { pending: sum(jobs), deadLetter: sum(dead) };
}
