// How a Redis Cluster the bench starts splits its slots, and where Hookline's hash tags landed on
// it: read back from the keys each master holds, so the report says how the load was laid out
// whatever tags Hookline picks (packages/core/src/keys.ts).

/** A Redis Cluster has 16,384 hash slots (the cluster spec, "Key distribution model"). */
export const CLUSTER_SLOTS = 16_384;

/**
 * The slot ranges (inclusive) of `masters` masters, as `redis-cli --cluster create` splits them:
 * 16,384 / masters each, rounded, the last one taking the rest (redis-cli.c,
 * `clusterManagerCommandCreate`).
 */
export function slotRanges(masters: number): [number, number][] {
  if (!Number.isInteger(masters) || masters < 1)
    throw new Error(`masters must be ≥ 1, not ${masters}`);
  const perMaster = CLUSTER_SLOTS / masters;
  const ranges: [number, number][] = [];
  let first = 0;
  for (let i = 0; i < masters; i++) {
    let last = i === masters - 1 ? CLUSTER_SLOTS - 1 : Math.round(perMaster * (i + 1) - 1);
    if (last < first) last = first;
    ranges.push([first, last]);
    first = last + 1;
  }
  return ranges;
}

/**
 * A key's hash tag: the text between its first `{` and the next `}`, when not empty (the
 * cluster spec, "Hash tags"); undefined for a key without one.
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** What one master serves of Hookline's keys: its shards (by number) and whether the catalog. */
export interface MasterLayout {
  shards: number[];
  catalog: boolean;
  /** Each shard's event index key found there (`{<shard tag>}:evts`), to count its events. */
  eventIndexes: string[];
}

/**
 * Which of Hookline's hash tags each master holds keys of, from the keys themselves: the
 * catalog's tag is the prefix; a shard's starts with `<prefix>:<n>` (`.<k>` may follow, when
 * Hookline picks a tag for where it hashes).
 */
export function layoutFromKeys(prefix: string, keysByMaster: readonly string[][]): MasterLayout[] {
  const shardPattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`);
  return keysByMaster.map((keys) => {
    const shards = new Set<number>();
    let catalog = false;
    const eventIndexes: string[] = [];
    for (const key of keys) {
      const tag = hashTagOf(key);
      if (tag === undefined) continue;
      if (tag === prefix) catalog = true;
      const shard = shardPattern.exec(tag);
      if (!shard) continue;
      shards.add(Number(shard[1]));
      if (key === `{${tag}}:evts`) eventIndexes.push(key);
    }
    return { shards: [...shards].sort((a, b) => a - b), catalog, eventIndexes };
  });
}

/** "4/4/4": how many shards each master serves. */
export function shardSpread(layout: readonly Pick<MasterLayout, 'shards'>[]): string {
  return layout.map((m) => m.shards.length).join('/');
}
