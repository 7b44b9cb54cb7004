// The text side of the decision: taxonomy lookups as class priors, --taxonomy auto, caption analysis.

import { describe, expect, it } from 'vitest';
import { loadTaxonomy } from '../../src/labels/taxonomy/index.js';
import { labelWarning } from '../../src/decide/label-check.js';
import { captionInfo, pickTaxonomy, priorLookup } from '../../src/decide/text-sources.js';

describe('text sources', async () => {
  const ssv2 = await loadTaxonomy('ssv2');
  const jester = await loadTaxonomy('jester');

  it('turns a raw SSv2 label into a class prior with the counterpart and both ids', () => {
    const prior = priorLookup(ssv2)('Putting a pen into a cup');
    expect(prior).toMatchObject({
      name: 'Putting [something] into [something]',
      verdict: 'equivariant',
      counterpart: 'Taking [something] out of [something]',
    });
    expect(ssv2.classes.find((c) => c.id === prior!.counterpartId)?.name).toBe(prior!.counterpart);
    expect(priorLookup(ssv2)('no such action at all')).toBeNull();
  });

  it('auto picks the taxonomy more than half of the labels belong to, else none', () => {
    expect(pickTaxonomy(['Swiping Left', 'Swiping Right', 'Thumb Up', 'misc'], [ssv2, jester]).taxonomy?.name).toBe(
      'jester',
    );
    expect(pickTaxonomy(['Opening a drawer', 'Closing a jar', 'misc'], [ssv2, jester]).taxonomy?.name).toBe('ssv2');
    const none = pickTaxonomy(['Opening a drawer', 'misc', 'other', 'cat'], [ssv2, jester]);
    expect(none.taxonomy).toBeNull();
    expect(none.shares).toEqual({ ssv2: 0.25, jester: 0 });
    expect(pickTaxonomy([], [ssv2]).taxonomy).toBeNull();
    // class ids that both taxonomies number (Jester's 0-26 are SSv2 ids too): neither is picked, and the warning says why
    const ids = pickTaxonomy(['0', '8', '18'], [ssv2, jester]);
    expect(ids).toEqual({ taxonomy: null, shares: { ssv2: 1, jester: 1 } });
    const warning = labelWarning({
      labelColumn: 'num',
      source: null,
      tally: { labelled: 3, matched: 0 },
      rates: ids.shares,
    });
    expect(warning?.message).toMatch(/match more than one taxonomy alike \(ssv2 100 %, jester 100 %.*--taxonomy NAME/);
  });

  it('reads the caption analysis as the policy needs it', () => {
    expect(captionInfo('a man opens the door')).toEqual({
      status: 'swap',
      reversed: 'a man closes the door',
      reason: expect.any(String),
    });
    expect(captionInfo('a ball falls').status).toBe('irreversible');
  });
});
