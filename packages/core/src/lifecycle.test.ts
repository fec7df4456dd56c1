import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeliveryStatus } from '@hookline/api';
import { allows, DELIVERY_MOVES, fromStatuses } from './lifecycle';

const README = path.join(__dirname, '..', '..', '..', 'README.md');

/** The rows of the README's lifecycle table, as [move, from, to, triggered by] cells. */
function readmeRows(): string[][] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf("### A delivery's lifecycle"));
  const lines = section.split('\n');
  const header = lines.findIndex((line) => /^\|\s*move\s*\|/.test(line));
  expect(header).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  // Skip the header and its separator; the table ends at the first line that is not a row.
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

function codeRows(): string[][] {
  return Object.entries(DELIVERY_MOVES).map(([move, rule]) => [
    `\`${move}\``,
    rule.from.length === 0 ? '—' : rule.from.map((s) => `\`${s}\``).join(', '),
    `\`${rule.to}\``,
    rule.by,
  ]);
}

test("README's lifecycle table is the code's, row for row", () => {
  expect(readmeRows()).toEqual(codeRows());
});

test('every status is reached by some move and left by some move', () => {
  const moves = Object.values(DELIVERY_MOVES);
  for (const status of DeliveryStatus.options) {
    expect(moves.some((m) => m.to === status)).toBe(true);
    expect(moves.some((m) => (m.from as readonly string[]).includes(status))).toBe(true);
  }
});

test('only the publish creates a delivery, and only the API requeues one', () => {
  for (const [move, rule] of Object.entries(DELIVERY_MOVES)) {
    expect(rule.from.length === 0).toBe(move === 'publish');
    if (rule.via === 'requeue') expect(rule.to).toBe('pending');
  }
});

test('a delivered delivery is only ever sent again by an explicit retry', () => {
  const fromDelivered = Object.entries(DELIVERY_MOVES)
    .filter(([, rule]) => (rule.from as readonly string[]).includes('delivered'))
    .map(([move]) => move);
  expect(fromDelivered).toEqual(['retry']);
  expect(allows('replay', 'delivered')).toBe(false);
  expect(allows('retry', 'delivered')).toBe(true);
});

test('fromStatuses names the statuses a move starts from', () => {
  expect(fromStatuses('replay')).toEqual(['dead']);
  expect(fromStatuses('recover')).toEqual(['failed', 'dead']);
  expect(fromStatuses('retry')).toEqual(DeliveryStatus.options);
  expect(fromStatuses('endpoint-deleted')).toEqual(['pending', 'failed']);
});
