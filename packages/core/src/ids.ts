import { hash } from 'node:crypto';
import { pooledRandomBytes } from './random-pool';
import type { IdPrefix } from '@hookline/api';
import { slotOf, withSlot } from './redis/shards';

export { isId, type IdPrefix } from '@hookline/api';

// Crockford base32, as ULID uses: ids sort by creation time as plain strings, which is what
// lets the stores page and trim sorted sets by id (ZRANGEBYLEX) instead of by a second score.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
// Characters are gathered as codes and made a string once: appending one character at a time
// made a string per character, and a batch publish makes an id per event and per delivery.
const timeCodes = new Array<number>(TIME_CHARS);
const byteCodes = new Array<number>(RANDOM_CHARS);

function encodeTime(ms: number): string {
  let rest = Math.max(0, Math.floor(ms));
  for (let i = TIME_CHARS - 1; i >= 0; i--) {
    timeCodes[i] = CODES[rest % 32]!;
    rest = Math.floor(rest / 32);
  }
  return String.fromCharCode(...timeCodes);
}

function encodeBytes(bytes: Uint8Array): string {
  for (let i = 0; i < RANDOM_CHARS; i++) byteCodes[i] = CODES[bytes[i]! & 31]!;
  return String.fromCharCode(...byteCodes);
}

function randomChars(): string {
  return encodeBytes(pooledRandomBytes(RANDOM_CHARS));
}

/** A new sortable id: `evt_01JH…` (10 characters of time, 16 of randomness). */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  return `${prefix}_${encodeTime(now)}${randomChars()}`;
}

/**
 * The delivery id of an event to an endpoint. Derived, not random, so that creating the
 * deliveries of an event twice (a fan-out resumed after a crash) yields the same ids and
 * so the same BullMQ job ids, which BullMQ refuses to add twice. It names its event's slot, so
 * a delivery lives in its event's shard (shards.ts) — or, for an ordered endpoint, `slot`: its
 * line's (ordering/lines.ts).
 */
export function deliveryIdFor(eventId: string, endpointId: string, slot = slotOf(eventId)): string {
  const time = eventId.slice(eventId.indexOf('_') + 1, eventId.indexOf('_') + 1 + TIME_CHARS);
  // One-shot `hash`: half the cost of a `createHash` object, and a publish derives one per delivery.
  const digest = hash('sha256', `${eventId}\0${endpointId}`, 'buffer');
  return withSlot(`whd_${time}${encodeBytes(digest)}`, slot);
}

/**
 * An id of `ms` whose random part is derived from `seed`: the same seed and time give the same
 * id, so work that may run twice (a retried job) names what it creates the same way each time.
 */
export function derivedId(prefix: IdPrefix, ms: number, seed: string): string {
  return `${prefix}_${encodeTime(ms)}${encodeBytes(hash('sha256', seed, 'buffer'))}`;
}

/** The smallest id of a prefix created at `ms`: a lower bound for id ranges by time. */
export function idFloor(prefix: IdPrefix, ms: number): string {
  return `${prefix}_${encodeTime(ms)}`;
}

/** When an id was created, in ms since the epoch; `undefined` for a malformed id. */
export function idTime(id: string): number | undefined {
  const time = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 1 + TIME_CHARS);
  if (time.length !== TIME_CHARS) return undefined;
  let ms = 0;
  for (const char of time) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    ms = ms * 32 + digit;
  }
  return ms;
}
