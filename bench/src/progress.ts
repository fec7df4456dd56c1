/**
 * One updating line on stderr: which case of how many, a bar for the case's own progress, what
 * it is doing and for how long. On a terminal the line is redrawn in place (at most every
 * 100 ms); elsewhere (CI logs) only each case's start is printed, so logs stay short.
 */
export class Progress {
  private caseIndex = 0;
  private title = '';
  private fraction = 0;
  private detail = '';
  private caseStarted = 0;
  private lastDraw = 0;
  private shown = false;
  private readonly tty: boolean;

  constructor(
    private readonly totalCases: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
  }

  startCase(index: number, title: string): void {
    this.caseIndex = index;
    this.title = title;
    this.fraction = 0;
    this.detail = 'starting';
    this.caseStarted = Date.now();
    if (this.tty) this.draw(true);
    else this.stream.write(`bench: [${index + 1}/${this.totalCases}] ${title}\n`);
  }

  /** The current case's progress, 0–1, and what it is doing. */
  update(fraction: number, detail: string): void {
    this.fraction = Math.min(1, Math.max(0, fraction));
    this.detail = detail;
    if (this.tty) this.draw(false);
  }

  /** A line of its own above the bar (a warning), the bar redrawn under it. */
  note(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
    if (this.tty && this.title !== '') this.draw(true);
  }

  /** Removes the bar (before the table is printed, or on exit). */
  clear(): void {
    if (this.tty && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    // A pseudo-terminal may report 0 columns.
    const columns = this.stream.columns || 120;
    const width = columns >= 100 ? 24 : 12;
    const filled = Math.round(this.fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const seconds = `${((now - this.caseStarted) / 1000).toFixed(1)}s`.padStart(6);
    // The detail goes last: on a narrow terminal it is what gets cut.
    const line = `[${this.caseIndex + 1}/${this.totalCases}] ${bar} ${seconds}  ${this.title} · ${this.detail}`;
    this.stream.write(
      `\r\x1b[2K${line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line}`,
    );
    this.shown = true;
  }
}
