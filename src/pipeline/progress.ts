// Progress for people: a redrawn bar on a terminal, a plain line every few seconds otherwise.

/** What a progress reporter is told. */
export interface ProgressState {
  done: number;
  errors: number;
  skipped: number;
  total: number | null;
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Formats one progress line (shared by the bar and the plain lines). */
export function progressLine(s: ProgressState, elapsedS: number, width = 24): string {
  const rate = elapsedS > 0 ? s.done / elapsedS : 0;
  const remaining = s.total !== null ? Math.max(0, s.total - s.done - s.skipped) : null;
  const eta = remaining !== null && rate > 0 ? duration(remaining / rate) : '?';
  const counts = s.total !== null ? `${s.done + s.skipped}/${s.total}` : `${s.done + s.skipped}`;
  let bar = '';
  if (s.total !== null && s.total > 0) {
    const filled = Math.round((width * (s.done + s.skipped)) / s.total);
    bar = `[${'#'.repeat(filled)}${'.'.repeat(Math.max(0, width - filled))}] `;
  }
  const skipped = s.skipped ? `, ${s.skipped} resumed` : '';
  return `${bar}${counts} clips, ${rate.toFixed(1)} clips/s, ETA ${eta}, ${s.errors} errors${skipped}`;
}

/** Writes progress to a stream: redraws in place on a TTY, a plain line every `intervalS` otherwise. */
export class ProgressReporter {
  private readonly start = performance.now();
  private last = 0;
  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly quiet: boolean,
    private readonly intervalS = 10,
  ) {}

  update(state: ProgressState, force = false): void {
    if (this.quiet) return;
    const now = performance.now();
    const tty = this.stream.isTTY === true;
    const every = tty ? 100 : this.intervalS * 1000;
    if (!force && now - this.last < every) return;
    this.last = now;
    const line = progressLine(state, (now - this.start) / 1000);
    this.stream.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  }

  /** A one-off line (not redrawn). */
  note(text: string): void {
    if (!this.quiet) this.stream.write(`${text}\n`);
  }

  finish(state: ProgressState): void {
    if (this.quiet) return;
    this.update(state, true);
    if (this.stream.isTTY === true) this.stream.write('\n');
  }
}
