/** Number and table formatting for the printed report. */

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function ms(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n < 100 ? `${n.toFixed(1)} ms` : `${int(n)} ms`;
}

export function ratio(n: number | null): string {
  return n === null || !Number.isFinite(n) ? '' : `${n.toFixed(2)}×`;
}

export function percent(n: number | null): string {
  return n === null || !Number.isFinite(n) ? '' : `${Math.round(n * 100)}%`;
}

/** Bytes in SI megabytes: "123 MB". */
export function megabytes(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${int(bytes / 1e6)} MB`;
}

/** Columns padded to their widest cell, two spaces apart, a rule under the header. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, c) =>
    Math.max(title.length, ...rows.map((row) => (row[c] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
