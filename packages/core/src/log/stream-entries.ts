import { Attempt, DeliveryStatus } from '@hookline/api';
import { z } from 'zod';
import { idTime } from '../ids';
import type { Change, DeliveryChanged, EventAccepted } from './changes';

/**
 * Reads the change stream's entries (log/changes.ts) as the scripts write them:
 *
 * - an event (commands/publish-1.lua): `k` = `e`, `id`, `n` name, `t` tenant, `ri`/`rt` resource
 *   id and type, `x` test ('1'), `p` traceparent, `b` body, `d` its deliveries as
 *   `<delivery id>=<endpoint id>` joined by commas, `o` those lined up in other shards, alike
 *   (absent in changes written before ordering);
 * - a delivery (commands/record-2.lua, commands/requeue-4.lua): `k` = `d`, `h` the head
 *   (in-flight/job-record.ts `changeHead`), `s` status, `n` attempts, `x` next attempt (ms),
 *   `a` when (ms), `l` '1' in the dead letter, `t` the attempt it recorded, as JSON.
 *
 * Every field is a string; '' stands for none.
 */

/**
 * The fields of a delivery's change appended from TypeScript (the scripts build the same in Lua):
 * a move that has no job to record it in, such as a deleted endpoint's dead letter leaving it.
 */
export function deliveryChangeFields(change: {
  head: string;
  status: string;
  attempts: number;
  at: number;
  deadLetter: boolean;
}): string[] {
  return [
    'k',
    'd',
    'h',
    change.head,
    's',
    change.status,
    'x',
    '',
    'a',
    String(change.at),
    'l',
    change.deadLetter ? '1' : '',
    'n',
    String(change.attempts),
  ];
}

/** A stream entry as XREADGROUP and XAUTOCLAIM answer it: its id and its fields flat. */
export type StreamEntry = [id: string, fields: string[]];

const Head = z.object({
  id: z.string(),
  e: z.string(),
  p: z.string(),
  t: z.string().nullable(),
  n: z.string(),
  r: z.string().nullable(),
  x: z.boolean(),
});

const orNull = (text: string | undefined) => (text ? text : null);

function fieldsOf(flat: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  return fields;
}

/** `<delivery id>=<endpoint id>` pairs joined by commas, as ids and endpoints. */
function deliveryPairs(joined: string | undefined): { id: string; endpoint_id: string }[] {
  return (joined ? joined.split(',') : []).map((pair) => {
    const at = pair.indexOf('=');
    return { id: pair.slice(0, at), endpoint_id: pair.slice(at + 1) };
  });
}

function eventChange(version: string, f: Map<string, string>): EventAccepted {
  const id = f.get('id') ?? '';
  return {
    kind: 'event',
    version,
    id,
    name: f.get('n') ?? '',
    tenant_id: orNull(f.get('t')),
    resource_id: orNull(f.get('ri')),
    resource_type: orNull(f.get('rt')),
    created_at: idTime(id) ?? 0,
    body: f.get('b') ?? '',
    test: f.get('x') === '1',
    traceparent: orNull(f.get('p')),
    deliveries: deliveryPairs(f.get('d')),
    lined: deliveryPairs(f.get('o')),
  };
}

function deliveryChange(version: string, f: Map<string, string>): DeliveryChanged {
  const head = Head.parse(JSON.parse(f.get('h') ?? '{}'));
  const attempt = f.get('t');
  const next = f.get('x');
  return {
    kind: 'delivery',
    version,
    id: head.id,
    event_id: head.e,
    endpoint_id: head.p,
    tenant_id: head.t,
    event_name: head.n,
    resource_id: head.r,
    test: head.x,
    created_at: idTime(head.e) ?? 0,
    status: DeliveryStatus.parse(f.get('s')),
    attempts: Number(f.get('n') ?? 0),
    next_attempt_at: next ? Number(next) : null,
    at: Number(f.get('a') ?? 0),
    dead_letter: f.get('l') === '1',
    attempt: attempt ? Attempt.parse(JSON.parse(attempt)) : null,
  };
}

/**
 * The change an entry holds, or an error for an entry that cannot be read (the writer logs and
 * skips it rather than stall the stream behind it).
 */
export function parseEntry([version, flat]: StreamEntry): Change | Error {
  try {
    const fields = fieldsOf(flat);
    const kind = fields.get('k');
    if (kind === 'e') return eventChange(version, fields);
    if (kind === 'd') return deliveryChange(version, fields);
    return new Error(`unknown change kind ${String(kind)}`);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
