// Stringified Python literals as VideoPhy-2 CSVs store them.

import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, parseRuleList, PythonLiteralError } from '../../src/physics/python-literal.js';

describe('parsePythonLiteral', () => {
  it('reads lists with either quote, escaped quotes and apostrophes inside double quotes', () => {
    expect(parsePythonLiteral(`['The ball falls.', "The ball's shadow moves.", 'It\\'s "round".']`)).toEqual([
      'The ball falls.',
      "The ball's shadow moves.",
      'It\'s "round".',
    ]);
  });
  it('reads empty lists, None, booleans, numbers, nan, tuples and dicts', () => {
    expect(parsePythonLiteral('[]')).toEqual([]);
    expect(parsePythonLiteral('None')).toBeNull();
    expect(parsePythonLiteral('(True, False, -1.5e2, 3)')).toEqual([true, false, -150, 3]);
    expect(Number.isNaN((parsePythonLiteral('[nan]') as number[])[0])).toBe(true);
    expect(parsePythonLiteral("{'The rock rolls down.': 'gravity', 'k': ['a', 'b']}")).toEqual({
      'The rock rolls down.': 'gravity',
      k: ['a', 'b'],
    });
  });
  it('handles escapes and adjacent literals', () => {
    expect(parsePythonLiteral(`'a\\nb\\x41\\u00e9' "c"`)).toBe('a\nbAéc');
    expect(parsePythonLiteral(`r'\\d'`)).toBe('\\d');
  });
  it('reports where a broken literal goes wrong', () => {
    expect(() => parsePythonLiteral("['unterminated")).toThrow(PythonLiteralError);
    expect(() => parsePythonLiteral("['a' 'b', ]x")).toThrow(/offset/);
    expect(() => parsePythonLiteral("['a', 'b'")).toThrow(/offset/);
  });
});

describe('parseRuleList', () => {
  it('gives the strings of a rule column, skipping blanks, nan and None', () => {
    expect(parseRuleList("['Rule one.', 'Rule two.']")).toEqual(['Rule one.', 'Rule two.']);
    expect(parseRuleList('[nan]')).toEqual([]);
    expect(parseRuleList("['A.', None, '  ', nan]")).toEqual(['A.']);
    expect(parseRuleList('')).toEqual([]);
    expect(parseRuleList('[]')).toEqual([]);
    expect(parseRuleList('nan')).toEqual([]);
    expect(parseRuleList(null)).toEqual([]);
  });
  it('takes a plain sentence as one rule and throws on a broken list', () => {
    expect(parseRuleList('The ball bounces.')).toEqual(['The ball bounces.']);
    expect(() => parseRuleList("['broken")).toThrow(PythonLiteralError);
  });
});
