import { outOfOrder } from './line-order';

describe('outOfOrder', () => {
  const byTen = (seq: number) => seq % 10;

  it('counts nothing when each line arrives in order, however the lines interleave', () => {
    expect(outOfOrder([0, 1, 11, 10, 2, 21, 20, 12, 22], byTen)).toEqual({ count: 0, first: [] });
  });

  it('counts each delivery that arrives below its line’s highest so far, and names the first', () => {
    expect(outOfOrder([0, 20, 10, 30, 1], byTen)).toEqual({
      count: 1,
      first: ['10 after 20 on line 0'],
    });
    expect(outOfOrder([3, 2, 1, 0], () => 0).count).toBe(3);
  });
});
