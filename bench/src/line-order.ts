/**
 * Deliveries that arrived after one published later on the same line: `seqs` are the sequence
 * numbers of first receipts in the order they arrived (the receiver's samples), `lineOf` a
 * sequence number's line. A backlog published in sequence order is in order on every line when
 * each line's sequence numbers arrive increasing; each one that arrives below its line's highest
 * so far is counted, with the first few, to say where.
 */
export function outOfOrder(
  seqs: readonly number[],
  lineOf: (seq: number) => number,
): { count: number; first: string[] } {
  const highest = new Map<number, number>();
  const first: string[] = [];
  let count = 0;
  for (const seq of seqs) {
    const line = lineOf(seq);
    const before = highest.get(line);
    if (before !== undefined && seq < before) {
      count += 1;
      if (first.length < 5) first.push(`${seq} after ${before} on line ${line}`);
    } else highest.set(line, seq);
  }
  return { count, first };
}
