// --label-map: the parser of a user's own taxonomy (label,verdict,counterpart) and its lookup. Every kind of bad row
// is an error naming the file and the line; a good map is looked up by label up to case and spacing, or by template.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { labelKey, labelMapLookup, parseLabelMap, readLabelMap } from '../../src/labels/label-map.js';
import { tempDir } from '../io/tmp.js';

const GOOD = [
  'label,verdict,counterpart',
  'opening a jar,equivariant,closing a jar',
  'closing a jar,equivariant,opening a jar',
  'stirring soup,invariant,',
  'cracking an egg,irreversible,',
  '"waving, twice",invariant,',
  'Turning [something] on,equivariant,Turning [something] off',
  'Turning [something] off,equivariant,Turning [something] on',
  '',
].join('\n');

/** The message of the UsageError that parsing `text` throws. */
function problem(text: string, file = 'my-map.csv'): string {
  try {
    parseLabelMap(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected parseLabelMap to throw');
}

describe('parseLabelMap', () => {
  it('reads every row with its verdict, counterpart and line; quoted commas, BOM and CRLF included', () => {
    const m = parseLabelMap(`\uFEFF${GOOD.replace(/\n/g, '\r\n')}`, 'map.csv');
    expect(m.entries.map((e) => [e.label, e.verdict, e.counterpart, e.line])).toEqual([
      ['opening a jar', 'equivariant', 'closing a jar', 2],
      ['closing a jar', 'equivariant', 'opening a jar', 3],
      ['stirring soup', 'invariant', null, 4],
      ['cracking an egg', 'irreversible', null, 5],
      ['waving, twice', 'invariant', null, 6],
      ['Turning [something] on', 'equivariant', 'Turning [something] off', 7],
      ['Turning [something] off', 'equivariant', 'Turning [something] on', 8],
    ]);
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.file).toBe(join(process.cwd(), 'map.csv'));
  });

  it('takes the columns in any order, verdicts in any case, an optional reason column, and a counterpart outside the map', () => {
    const m = parseLabelMap(
      'Verdict, Label ,counterpart,reason\nEquivariant,zoom in,zoom out,camera move\n',
      'map.csv',
    );
    expect(m.entries).toEqual([
      { label: 'zoom in', verdict: 'equivariant', counterpart: 'zoom out', reason: 'camera move', line: 2 },
    ]);
  });

  it('allows the same label twice when both rows say the same', () => {
    expect(
      parseLabelMap('label,verdict,counterpart\nspin,invariant,\nSpin ,invariant,\n', 'map.csv').entries,
    ).toHaveLength(1);
  });

  it.each([
    [
      'an unknown verdict',
      'label,verdict,counterpart\nopening,reversible,closing\n',
      /my-map\.csv line 2: label "opening" has the verdict "reversible"; expected invariant, equivariant, irreversible/,
    ],
    [
      'an empty verdict',
      'label,verdict,counterpart\nopening,,\n',
      /my-map\.csv line 2: label "opening" has the verdict ""/,
    ],
    [
      'equivariant without a counterpart',
      'label,verdict,counterpart\nsitting,invariant,\nopening,equivariant,\n',
      /my-map\.csv line 3: label "opening" is equivariant but has no counterpart/,
    ],
    [
      'a counterpart on an invariant label',
      'label,verdict,counterpart\nwaving,invariant,waving back\n',
      /my-map\.csv line 2: label "waving" is invariant but has the counterpart "waving back"; only equivariant labels have one/,
    ],
    [
      'a label that is its own counterpart',
      'label,verdict,counterpart\nspin,equivariant,Spin\n',
      /my-map\.csv line 2: label "spin" is its own counterpart/,
    ],
    [
      'a duplicate label with another verdict',
      'label,verdict,counterpart\nfalling,irreversible,\nwaving,invariant,\nFalling,invariant,\n',
      /my-map\.csv line 4: label "Falling" is invariant here but irreversible on line 2/,
    ],
    [
      'a duplicate label with another counterpart',
      'label,verdict,counterpart\nup,equivariant,down\nup,equivariant,sideways\n',
      /my-map\.csv line 3: label "up" is equivariant with the counterpart "sideways" here but equivariant with the counterpart "down" on line 2/,
    ],
    [
      'a pair that does not come back',
      'label,verdict,counterpart\nopening,equivariant,closing\nclosing,irreversible,\n',
      /my-map\.csv line 2: label "opening" pairs with "closing", but line 3 makes "closing" irreversible/,
    ],
    ['an empty label', 'label,verdict,counterpart\n,invariant,\n', /my-map\.csv line 2: the label is empty/],
    [
      'too many fields',
      'label,verdict,counterpart\nwaving, twice,invariant,\n',
      /my-map\.csv line 2: 4 fields, but the header has 3/,
    ],
    [
      'a broken quote',
      'label,verdict,counterpart\n"waving"x,invariant,\n',
      /my-map\.csv line 2: not CSV: unexpected "x"/,
    ],
  ])('names the file and line of %s', (_what, text, message) => {
    expect(problem(text)).toMatch(message);
  });

  it('lists every bad row, not only the first, with the count', () => {
    const text = [
      'label,verdict,counterpart',
      'a,sometimes,',
      'b,equivariant,',
      'c,invariant,',
      'd,irreversible,e',
      '',
    ].join('\n');
    const msg = problem(text);
    expect(msg).toMatch(/^The label map my-map\.csv has 3 bad rows/);
    expect(
      msg
        .split('\n')
        .filter((l) => l.startsWith('  my-map.csv line '))
        .map((l) => l.match(/line (\d+)/)![1]),
    ).toEqual(['2', '3', '5']);
  });

  it('rejects a file without the header, with unknown columns, or without rows', () => {
    expect(problem('opening,equivariant,closing\n')).toMatch(
      /but my-map\.csv line 1 has the columns "opening,equivariant,closing", without label, verdict, counterpart/,
    );
    expect(problem('label,verdict,counterpart,notes\n')).toMatch(/unknown: notes \(allowed besides: reason\)/);
    expect(problem('label,verdict\nx,invariant\n')).toMatch(/without counterpart/);
    expect(problem('label,verdict,counterpart\n')).toMatch(/my-map\.csv has no label rows under its header/);
    expect(problem('')).toMatch(/my-map\.csv is empty/);
  });

  it('names an unreadable file', async () => {
    const dir = await tempDir();
    await expect(readLabelMap(join(dir, 'missing.csv'))).rejects.toThrow(
      /Expected a readable CSV file for --label-map but received ".*missing\.csv" \(ENOENT/,
    );
    await writeFile(join(dir, 'map.csv'), GOOD);
    expect((await readLabelMap(join(dir, 'map.csv'))).entries).toHaveLength(7);
  });
});

describe('labelMapLookup', () => {
  const find = labelMapLookup(parseLabelMap(GOOD, 'map.csv'));

  it('finds a label up to case and spacing, and nothing else', () => {
    expect(find('Opening  a JAR')?.counterpart).toBe('closing a jar');
    expect(find(' stirring soup ')?.verdict).toBe('invariant');
    expect(find('opening a jar slowly')).toBeNull();
    expect(find('opening')).toBeNull();
  });

  it('fits raw labels to template entries', () => {
    expect(find('Turning the lamp on')?.label).toBe('Turning [something] on');
    expect(find('Turning the lamp off')?.counterpart).toBe('Turning [something] on');
  });

  it('compares labels in Unicode NFC', () => {
    expect(labelKey('Cafe\u0301  Door')).toBe(labelKey('caf\u00e9 door'));
    const m = labelMapLookup(
      parseLabelMap('label,verdict,counterpart\n\u00f6ffnen,equivariant,schlie\u00dfen\n', 'map.csv'),
    );
    expect(m('O\u0308ffnen')?.counterpart).toBe('schlie\u00dfen');
    expect(m('\u00e4ffnen')).toBeNull();
  });
});
