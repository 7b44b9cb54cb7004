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
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new PythonLiteralError(`${what} at offset ${i} of ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`);
  };
  const ws = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    let out = '';
    // Adjacent literals concatenate: 'a' "b" == 'ab'.
    do {
      let raw = false;
      if (text[i] === 'r' || text[i] === 'R') {
        raw = true;
        i++;
      }
      const q = text[i]!;
      const triple = text.slice(i, i + 3) === q.repeat(3);
      i += triple ? 3 : 1;
      for (;;) {
        if (i >= n) fail('unterminated string');
        const c = text[i]!;
        if (triple ? text.slice(i, i + 3) === q.repeat(3) : c === q) {
          i += triple ? 3 : 1;
          break;
        }
        if (c === '\\' && i + 1 < n) {
          const e = text[i + 1]!;
          if (raw) {
            out += c + e;
            i += 2;
            continue;
          }
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
          if (e in simple) {
            out += simple[e];
            i += 2;
          } else if (e === 'x' || e === 'u' || e === 'U') {
            const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
            const hex = text.slice(i + 2, i + 2 + len);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail(`bad \\${e} escape`);
            out += String.fromCodePoint(parseInt(hex, 16));
            i += 2 + len;
          } else {
            out += c + e; // Python keeps unknown escapes as written
            i += 2;
          }
          continue;
        }
        out += c;
        i++;
      }
      ws();
    } while (i < n && (text[i] === "'" || text[i] === '"' || ((text[i] === 'r' || text[i] === 'R') && (text[i + 1] === "'" || text[i + 1] === '"'))));
    return out;
  };
  const value = (): PyValue => {
    ws();
    if (i >= n) fail('unexpected end');
    const c = text[i]!;
    if (c === '[' || c === '(') return seq(c === '[' ? ']' : ')');
    if (c === '{') return dict();
    if (c === "'" || c === '"' || ((c === 'r' || c === 'R') && (text[i + 1] === "'" || text[i + 1] === '"'))) return str();
    const m = /^(?:None|True|False|nan|NaN|inf|-inf|[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))/.exec(text.slice(i));
    if (!m) return fail(`unexpected ${JSON.stringify(c)}`);
    i += m[0].length;
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
  };
  const seq = (close: string): PyValue[] => {
    i++;
    const out: PyValue[] = [];
    for (;;) {
      ws();
      if (text[i] === close) {
        i++;
        return out;
      }
      out.push(value());
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected "," or "${close}"`);
    }
  };
  const dict = (): { [key: string]: PyValue } => {
    i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      const k = value();
      ws();
      if (text[i] !== ':') fail('expected ":"');
      i++;
      const v = value();
      Object.defineProperty(out, String(k), { value: v, enumerable: true, writable: true, configurable: true });
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== '}') fail('expected "," or "}"');
    }
  };
  const v = value();
  ws();
  if (i < n) fail('unexpected text after the literal');
  return v;
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
