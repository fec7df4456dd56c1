import { clusterSlot } from './cluster-slot';
import { shardTags } from './keys';

test('a key hashes to the slot Redis Cluster gives it (the values of the CLUSTER KEYSLOT documentation)', () => {
  expect(clusterSlot('somekey')).toBe(11058);
  expect(clusterSlot('foo{hash_tag}')).toBe(2515);
  expect(clusterSlot('bar{hash_tag}')).toBe(2515);
});

test('only a non-empty tag between the first braces counts', () => {
  expect(clusterSlot('{user1000}.following')).toBe(clusterSlot('user1000'));
  expect(clusterSlot('a{}{b}')).not.toBe(clusterSlot('b'));
  expect(clusterSlot('{hookline:3}:deliveries:wait')).toBe(clusterSlot('hookline:3'));
});

test("each shard's tag falls in its own equal part of the slot space, so three masters hold four of twelve shards each", () => {
  const tags = shardTags('hookline', 12);
  expect(new Set(tags).size).toBe(12);
  tags.forEach((tag, n) => {
    expect(tag.startsWith(`{hookline:${n}`)).toBe(true);
    expect(Math.floor((clusterSlot(tag) * 12) / 16384)).toBe(n);
  });
  const perMaster = [0, 0, 0];
  for (const tag of tags) perMaster[Math.min(2, Math.floor(clusterSlot(tag) / 5461))]! += 1;
  expect(perMaster).toEqual([4, 4, 4]);
  expect(shardTags('hookline', 1)).toEqual(['{hookline:0}']);
});
