import { randomInt } from 'node:crypto';

// How Hookline spreads its data over shards (README, "Redis Cluster and shards").
//
// Every id Hookline makes for an event or a delivery ends in two Crockford base32 characters
// that name its *slot*, 0..1023. An id's shard is its slot modulo HOOKLINE_SHARDS, so anything
// that knows an id knows the shard its keys and job live in, without a lookup. A publish picks
// one slot for all of its events (at random, or from its Idempotency-Key), and every delivery of
// an event takes its event's slot: one publish is one shard, so it stays one transaction.
// Random slots per publish also spread one busy tenant over every shard.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Slots an id can name: shards beyond this count would stay empty. */
export const SLOTS = 1024;

/** The slot an id names (its last two characters); 0 for an id too short to carry one. */
export function slotOf(id: string): number {
  const high = ALPHABET.indexOf(id.charAt(id.length - 2));
  const low = ALPHABET.indexOf(id.charAt(id.length - 1));
  return high < 0 || low < 0 ? 0 : high * 32 + low;
}

/** `id` with its last two characters set to name `slot`. */
export function withSlot(id: string, slot: number): string {
  return id.slice(0, -2) + ALPHABET[(slot >> 5) & 31]! + ALPHABET[slot & 31]!;
}

/** A slot picked at random: where a publish without an Idempotency-Key goes. */
export function randomSlot(): number {
  return randomInt(SLOTS);
}

/** The slot of a hex digest (an Idempotency-Key's hash): the same key always picks the same slot. */
export function slotOfDigest(hex: string): number {
  return parseInt(hex.slice(0, 8), 16) % SLOTS;
}

/** The shard of a slot, with `shards` shards. */
export function shardOfSlot(slot: number, shards: number): number {
  return slot % shards;
}
