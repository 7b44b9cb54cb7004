// A small RFC 4180 record splitter over physical lines that reports a bad record and resynchronises after it.
//
// Why not csv-parse: with `skip_records_with_error`, csv-parse 6.2 stays inside the quoted field after an
// invalid closing quote (`a,"bad"x,c`), so every later row is swallowed into one "Quote Not Closed" error at
// the end of the file. Here a bad record is reported with its first line and reading goes on with the line
// after its start, so one broken row never costs the rows after it.

import { MAX_LINE_BYTES, type TextLine } from '../lines.js';

/** A complete record (its fields) or a malformed one (a reason), numbered by its first physical line. */
export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

/** A quoted field may span lines, but not more than this many characters before it is declared unclosed. */
export const MAX_RECORD_CHARS = 1 << 20;

const QUOTE = 34;
const MORE = 1;
type Feed = string[] | typeof MORE | { error: string };

/** Field state machine for one record; `feed` takes one physical line. */
class FieldParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  constructor(
    private readonly delimiter: string,
    private readonly relaxQuotes: boolean,
  ) {}

  reset(): void {
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
  }

  feed(text: string): Feed {
    const n = text.length;
    let i = 0;
    if (this.inQuotes) this.field += '\n';
    for (;;) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          this.field += text.slice(i);
          return MORE;
        }
        this.field += text.slice(i, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
          continue;
        }
        this.inQuotes = false;
        this.fields.push(this.field);
        this.field = '';
        i = q + 1;
        if (i === n) return this.fields;
        if (text[i] !== this.delimiter) {
          return {
            error: `unexpected ${JSON.stringify(text[i])} after the closing quote of field ${this.fields.length}`,
          };
        }
        i++;
      }
      // At the start of a field.
      if (text.charCodeAt(i) === QUOTE) {
        this.inQuotes = true;
        i++;
        continue;
      }
      const d = text.indexOf(this.delimiter, i);
      const end = d < 0 ? n : d;
      const value = text.slice(i, end);
      if (!this.relaxQuotes && value.includes('"')) {
        return { error: `unexpected quote inside unquoted field ${this.fields.length + 1} (${JSON.stringify(value)})` };
      }
      this.fields.push(value);
      if (d < 0) return this.fields;
      i = d + 1;
    }
  }
}

interface Pending {
  start: number;
  lines: TextLine[];
  chars: number;
}

/**
 * Splits physical lines into CSV records. Empty lines between records are skipped. When a record that
 * spans several lines turns out malformed (bad quote, never closed, too long), its lines after the first
 * are read again as new records.
 */
export class CsvRecordSplitter {
  private readonly parser: FieldParser;
  private pending: Pending | null = null;

  /** `relaxQuotes` lets a quote appear inside an unquoted field (used for TSV). */
  constructor(delimiter: string, relaxQuotes: boolean) {
    this.parser = new FieldParser(delimiter, relaxQuotes);
  }

  /** Feeds one physical line; finished records are pushed onto `out`. */
  push(line: TextLine, out: CsvRecord[]): void {
    const queue: TextLine[] = [line];
    while (queue.length > 0) this.step(queue.shift() as TextLine, out, queue);
  }

  /** Signals the end of the file; a still-open quoted field is reported and its later lines re-read. */
  end(out: CsvRecord[]): void {
    while (this.pending !== null) {
      const rec = this.pending;
      this.pending = null;
      out.push({ line: rec.start, error: 'a quoted field is not closed before the end of the file' });
      for (const ln of rec.lines.slice(1)) this.push(ln, out);
    }
  }

  private step(ln: TextLine, out: CsvRecord[], queue: TextLine[]): void {
    if (ln.tooLong !== undefined) {
      // a line read past (longer than MAX_LINE_BYTES): a bad record of its own, and the end of any open one
      const rec = this.pending;
      this.pending = null;
      if (rec !== null) {
        out.push({ line: rec.start, error: `a quoted field is not closed before line ${ln.line}` });
        queue.unshift(...rec.lines.slice(1), ln);
        return;
      }
      out.push({
        line: ln.line,
        error: `the line is longer than ${MAX_LINE_BYTES} bytes (${ln.tooLong}); is it a text file?`,
      });
      return;
    }
    if (this.pending === null) {
      if (ln.text === '') return;
      this.pending = { start: ln.line, lines: [], chars: 0 };
      this.parser.reset();
    }
    const rec = this.pending;
    const res = this.parser.feed(ln.text);
    if (res === MORE) {
      rec.lines.push(ln);
      rec.chars += ln.text.length + 1;
      if (rec.chars > MAX_RECORD_CHARS) {
        this.pending = null;
        out.push({ line: rec.start, error: `a quoted field is not closed within ${MAX_RECORD_CHARS} characters` });
        queue.unshift(...rec.lines.slice(1));
      }
      return;
    }
    this.pending = null;
    if (Array.isArray(res)) {
      out.push({ line: rec.start, fields: res });
    } else {
      out.push({ line: rec.start, error: res.error });
      if (rec.lines.length > 0) queue.unshift(...rec.lines.slice(1), ln);
    }
  }
}
