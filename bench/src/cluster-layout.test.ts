import { hashTagOf, layoutFromKeys, shardSpread, slotRanges } from './cluster-layout';

describe('slotRanges', () => {
  it('splits the slots as redis-cli --cluster create does', () => {
    expect(slotRanges(1)).toEqual([[0, 16_383]]);
    expect(slotRanges(3)).toEqual([
      [0, 5_460],
      [5_461, 10_922],
      [10_923, 16_383],
    ]);
  });
});

describe('hashTagOf', () => {
  it('takes the text between the first { and the next }, and none when that is empty', () => {
    expect(hashTagOf('{user1000}.following')).toBe('user1000');
    expect(hashTagOf('foo{}{bar}')).toBeUndefined();
    expect(hashTagOf('foo{{bar}}')).toBe('{bar');
    expect(hashTagOf('plain')).toBeUndefined();
  });
});

describe('layoutFromKeys', () => {
  it('finds each master’s shards, the catalog and the shards’ event indexes from its keys', () => {
    const layout = layoutFromKeys('bench-c', [
      ['{bench-c:0}:evts', '{bench-c:0}:deliveries:wait', '{bench-c:10.3}:evts', 'other'],
      ['{bench-c}:ep:e1', '{bench-c:2}:deliveries:meta', '{bench-cx:4}:evts'],
    ]);
    expect(layout).toEqual([
      {
        shards: [0, 10],
        catalog: false,
        eventIndexes: ['{bench-c:0}:evts', '{bench-c:10.3}:evts'],
      },
      { shards: [2], catalog: true, eventIndexes: [] },
    ]);
    expect(shardSpread(layout)).toBe('2/1');
  });
});
