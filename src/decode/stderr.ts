// Condenses ffmpeg/ffprobe stderr into the short lines that go into error messages and warnings.

const NOISE = [/^Conversion failed!?$/, /^Last message repeated \d+ times?$/, /^Exiting normally/, /^\s*$/];

/** One stderr line, readable: drops "@ 0x55d0..." object addresses and the `file:` URL prefix, trims, caps length. */
export function cleanLine(line: string): string {
  const s = line
    .replace(/\[([\w,.\- ]+) @ 0x[0-9a-f]+\]\s*/gi, '[$1] ')
    .replace(/\bfile:(?=\/|[A-Za-z]:\\)/g, '')
    .trim();
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/** The first line that says something about the failure, cleaned; null when there is none. */
export function firstRelevantLine(stderr: string | readonly string[]): string | null {
  const lines = typeof stderr === 'string' ? stderr.split(/\r?\n/) : stderr;
  for (const raw of lines) {
    const line = cleanLine(raw);
    if (!NOISE.some((re) => re.test(line))) return line;
  }
  return null;
}

/** Keeps the first few stderr lines of a run and counts the rest, so a badly broken file cannot fill memory. */
export class StderrLog {
  readonly lines: string[] = [];
  count = 0;
  constructor(private readonly keep = 20) {}
  add(line: string): void {
    if (line.trim() === '' || NOISE.some((re) => re.test(line.trim()))) return;
    this.count++;
    if (this.lines.length < this.keep) this.lines.push(line);
  }
  /** "N ffmpeg error lines, first: ..." or null when stderr was quiet. */
  summary(): string | null {
    const first = firstRelevantLine(this.lines);
    if (!first) return null;
    return this.count === 1
      ? `ffmpeg reported: ${first}`
      : `ffmpeg reported ${this.count} error lines, first: ${first}`;
  }
}
