import { megabytes, ms, percent, ratio, renderTable } from './format';

describe('renderTable', () => {
  it('pads every column to its widest cell and rules the header', () => {
    const table = renderTable(
      ['case', 'result'],
      [
        ['peer', '1,234/s'],
        ['Hookline drain', '9/s'],
      ],
    );
    expect(table.split('\n')).toEqual([
      'case            result',
      '──────────────  ───────',
      'peer            1,234/s',
      'Hookline drain  9/s',
    ]);
  });
});

describe('number formats', () => {
  it('writes milliseconds with one decimal below 100 and whole above', () => {
    expect(ms(3.14159)).toBe('3.1 ms');
    expect(ms(1234.5)).toBe('1,235 ms');
  });

  it('writes ratios, percents and SI megabytes, and nothing for an unknown ratio', () => {
    expect(ratio(2.004)).toBe('2.00×');
    expect(ratio(null)).toBe('');
    expect(percent(0.834)).toBe('83%');
    expect(megabytes(123_456_789)).toBe('123 MB');
  });
});
