// JSON of a user's manifest rows and sample json, parsed without losing digits: an integer beyond 2^53 (a 64-bit id,
// say) would become the nearest double under JSON.parse, so two ids could become one.

import { isSafeNumber, parse } from 'lossless-json';

/** Integers of 16 digits and more are the only numbers a double may not hold exactly: the fast path skips the rest. */
const LONG_DIGITS = /\d{16}/;

/**
 * JSON.parse, except that an integer a double cannot hold exactly (beyond 2^53) is kept as its text, so ids survive as
 * they were written; a decimal becomes the nearest double, as with JSON.parse.
 * @throws SyntaxError for text that is not JSON, as JSON.parse does
 * @example
 * parseJsonExact('{"id": 12345678901234567891, "n": 3}') // { id: '12345678901234567891', n: 3 }
 */
export function parseJsonExact(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return parse(text, null, {
    parseNumber: (digits: string) => (/^-?\d+$/.test(digits) && !isSafeNumber(digits) ? digits : Number(digits)),
    // a key given twice keeps its last value, as JSON.parse does
    onDuplicateKey: ({ newValue }) => newValue,
  });
}
