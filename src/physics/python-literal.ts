// A small reader for the Python literals VideoPhy-2 CSVs store in cells (str() of lists and dicts).

/** A parsed Python literal: strings, numbers, booleans, None (null), NaN, lists/tuples (arrays) and dicts. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** A cell that is not a Python literal; the message says where it went wrong. */
export class PythonLiteralError extends Error {}

/**
 * Parses one Python literal as `str()` or `repr()` writes it: `['a', "b's", 'it\'s']`, `[]`, `[nan]`,
 * `{'rule': 'gravity'}`, `('a', 1)`, `None`, `True`, numbers. Strings may use either quote, escapes
 * (`\'`, `\"`, `\\`, `\n`, `\t`, `\xNN`, `\uNNNN`) and adjacent-literal concatenation.
 * @throws PythonLiteralError with the offset of the problem.
 * @example
 * parsePythonLiteral("['The ball falls.', \"The ball's shadow moves.\"]") // ['The ball falls.', "The ball's shadow moves."]
 */
export function parsePythonLiteral(text: string): PyValue {
  const reader = new LiteralReader(text);
  const v = reader.value();
  reader.ws();
  if (reader.i < text.length) reader.fail('unexpected text after the literal');
  return v;
}

/** Escapes that stand for one character (a backslash before a newline continues the line). */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};

/** None, booleans, NaN, infinities and numbers, at the start of the rest of the text. */
const SCALAR = /^(?:None|True|False|nan|NaN|inf|-inf|[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))/;

/** A recursive-descent reader over `text`; `i` is the offset of the next character to read. */
class LiteralReader {
  i = 0;
  private readonly n: number;

  constructor(private readonly text: string) {
    this.n = text.length;
  }

  fail(what: string): never {
    const { text } = this;
    throw new PythonLiteralError(
      `${what} at offset ${this.i} of ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`,
    );
  }

  ws(): void {
    while (this.i < this.n && /\s/.test(this.text[this.i])) this.i++;
  }

  /** Whether a string literal starts at `at`: a quote, or r/R before one. */
  private stringStart(at: number): boolean {
    const c = this.text[at];
    return (
      c === "'" || c === '"' || ((c === 'r' || c === 'R') && (this.text[at + 1] === "'" || this.text[at + 1] === '"'))
    );
  }

  value(): PyValue {
    this.ws();
    if (this.i >= this.n) this.fail('unexpected end');
    const c = this.text[this.i];
    if (c === '[' || c === '(') return this.seq(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    if (this.stringStart(this.i)) return this.str();
    return this.scalar(c);
  }

  private scalar(c: string): PyValue {
    const m = SCALAR.exec(this.text.slice(this.i));
    if (!m) return this.fail(`unexpected ${JSON.stringify(c)}`);
    this.i += m[0].length;
    switch (m[0]) {
      case 'None':
        return null;
      case 'True':
        return true;
      case 'False':
        return false;
      case 'nan':
      case 'NaN':
        return NaN;
      case 'inf':
        return Infinity;
      case '-inf':
        return -Infinity;
      default:
        return Number(m[0]);
    }
  }

  /** One string, or several adjacent literals concatenated: 'a' "b" == 'ab'. */
  private str(): string {
    let out = '';
    do {
      out += this.literal();
      this.ws();
    } while (this.i < this.n && this.stringStart(this.i));
    return out;
  }

  /** One quoted literal (single, double or triple quotes; r/R for raw). */
  private literal(): string {
    const { text, n } = this;
    let raw = false;
    if (text[this.i] === 'r' || text[this.i] === 'R') {
      raw = true;
      this.i++;
    }
    const q = text[this.i];
    const triple = text.slice(this.i, this.i + 3) === q.repeat(3);
    this.i += triple ? 3 : 1;
    let out = '';
    for (;;) {
      if (this.i >= n) this.fail('unterminated string');
      const c = text[this.i];
      if (triple ? text.slice(this.i, this.i + 3) === q.repeat(3) : c === q) {
        this.i += triple ? 3 : 1;
        return out;
      }
      if (c === '\\' && this.i + 1 < n) {
        out += raw ? this.rawEscape() : this.escape();
        continue;
      }
      out += c;
      this.i++;
    }
  }

  /** In a raw string a backslash and the next character stay as written. */
  private rawEscape(): string {
    const pair = this.text.slice(this.i, this.i + 2);
    this.i += 2;
    return pair;
  }

  /** The escape at `i` (a backslash with at least one character after it). */
  private escape(): string {
    const e = this.text[this.i + 1];
    if (e in SIMPLE_ESCAPES) {
      this.i += 2;
      return SIMPLE_ESCAPES[e];
    }
    if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = this.text.slice(this.i + 2, this.i + 2 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail(`bad \\${e} escape`);
      this.i += 2 + len;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    this.i += 2;
    return `\\${e}`; // Python keeps unknown escapes as written
  }

  private seq(close: string): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.text[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== close) this.fail(`expected "," or "${close}"`);
    }
  }

  private dict(): { [key: string]: PyValue } {
    this.i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.ws();
      if (this.text[this.i] === '}') {
        this.i++;
        return out;
      }
      const k = this.value();
      this.ws();
      if (this.text[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      const v = this.value();
      Object.defineProperty(out, String(k), { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') this.fail('expected "," or "}"');
    }
  }
}

/**
 * A cell holding a stringified list of strings (VideoPhy-2 rule columns) as its strings: blank cells, `[]`,
 * `None` and `nan` (also inside the list) give no entries; a bare string cell (not a list) is one entry.
 * @throws PythonLiteralError for a cell that starts like a list but does not parse.
 */
export function parseRuleList(cell: string | number | boolean | null | undefined): string[] {
  if (cell === null || cell === undefined || typeof cell === 'boolean') return [];
  if (typeof cell === 'number') return [];
  const t = cell.trim();
  if (t === '' || /^(?:nan|none|null|\[\s*\])$/i.test(t)) return [];
  if (!/^[[(]/.test(t)) return [t];
  const v = parsePythonLiteral(t);
  const items = Array.isArray(v) ? v : [v];
  return items.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
}
