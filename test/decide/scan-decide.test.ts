// End to end: `scan` with the fixture model on a small labelled CSV and a captioned JSONL manifest writes
// the decision manifests (one row per input row across the two files, original columns intact), the class
// table and decisions.json; `audit decide` redoes them under another policy without scanning again.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openManifest } from '../../src/decide/manifest-read.js';
import { readParquetRows } from '../../src/io/parquet-writer.js';
import { scan } from '../../src/pipeline/scan.js';
import { sceneClip } from '../fixtures/clips.js';
import { collect, tempDir } from '../io/tmp.js';

const MODEL = fileURLToPath(new URL('../fixtures/model/tiny.onnx', import.meta.url));
const ADDED = ['reverse', 'label_reversed', 'caption_reversed', 'verdict', 'decision', 'confidence', 'reason'];

let media: string;
beforeAll(async () => {
  media = await tempDir();
  // drop: a ball falls and bounces (irreversible); swing: a pendulum (invariant); slide: a puck slows to a stop.
  for (const s of ['drop', 'swing', 'slide'] as const) await sceneClip(s, join(media, `${s}.mp4`), { seconds: 1 });
});

async function rowsOf(file: string, kind: 'csv' | 'jsonl') {
  return collect((await openManifest(file, kind)).records());
}

async function captureStdout(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await fn(), out };
  } finally {
    spy.mockRestore();
  }
}

describe('scan with decisions', () => {
  it('a labelled CSV manifest: CSV manifests, classes, decisions.json; audit decide redoes them', async () => {
    const manifest = join(media, 'labelled.csv');
    await writeFile(
      manifest,
      [
        'clip,path,label,source',
        'd1,drop.mp4,Dropping a pen onto the floor,=cmd|calc',
        's1,swing.mp4,Opening a drawer,lab',
        'l1,slide.mp4,Holding a cup,-2.5',
        'g1,gone.mp4,Holding a pen,lab',
        '',
      ].join('\n'),
    );
    const out = await tempDir();
    const summary = await scan({
      input: manifest,
      out,
      idColumn: 'clip',
      workers: 2,
      quiet: true,
      model: MODEL,
      labelColumn: 'label',
    });
    expect(summary.counts).toMatchObject({ clips: 3, errors: 1 });
    expect(summary.decisions).toMatchObject({ policy: 'balanced', taxonomy: 'ssv2' });

    const safe = await rowsOf(join(out, 'reverse-safe.csv'), 'csv');
    const excluded = await rowsOf(join(out, 'excluded.csv'), 'csv');
    expect(safe.length + excluded.length).toBe(4);
    expect((await openManifest(join(out, 'excluded.csv'), 'csv')).columns).toEqual([
      'clip',
      'path',
      'label',
      'source',
      ...ADDED,
    ]);
    const all = new Map([...safe, ...excluded].map((r) => [r.columns!.clip, r.columns!]));
    expect([...all.keys()].sort()).toEqual(['d1', 'g1', 'l1', 's1']);
    expect(all.get('d1')).toMatchObject({
      path: 'drop.mp4',
      label: 'Dropping a pen onto the floor',
      source: "'=cmd|calc",
      decision: 'exclude',
      verdict: 'irreversible',
    });
    expect(all.get('d1')!.reason).toMatch(
      /^class 'Dropping \[something\] onto \[something\]' is irreversible; model: /,
    );
    expect(all.get('g1')).toMatchObject({
      decision: 'exclude',
      reason: expect.stringMatching(/^decode error \(missing\)/),
    });
    expect(all.get('l1')!.source).toBe('-2.5');
    // The swing clip is labelled with an equivariant class: swapped when the (meaningless) fixture model does not object.
    const s1 = all.get('s1')!;
    if (s1.decision === 'reverse_swap_label') expect(s1.label_reversed).toBe('Closing a drawer');
    else expect(s1.reason).toMatch(/model/);

    const classes = await collect(readParquetRows(join(out, 'classes.parquet')));
    expect(classes.map((c) => c.label).sort()).toEqual([
      'Dropping [something] onto [something]',
      'Holding [something]',
      'Opening [something]',
    ]);
    expect(classes.find((c) => c.label === 'Opening [something]')).toMatchObject({
      n: 1,
      taxonomy_verdict: 'equivariant',
      taxonomy_counterpart: 'Closing [something]',
      status: 'too_few',
    });
    expect((await readFile(join(out, 'classes.csv'), 'utf8')).split('\n')[0]).toMatch(/^label,n,n_scored,/);

    const decisions = JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'));
    expect(decisions).toMatchObject({
      policy: 'balanced',
      rows: 4,
      taxonomy: 'ssv2',
      settings: { labelColumn: 'label', captionColumn: null },
    });
    expect(decisions.taxonomy_match.ssv2).toBe(1);

    // audit decide: strict, from the folder, keeping the label column of the last decision step.
    const strict = await captureStdout(() => runCli(['decide', out, '--policy', 'strict']));
    expect(strict.code).toBe(0);
    expect(strict.out).toMatch(/^decision\s+strict\*\s+balanced\s+permissive\n/);
    const again = JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'));
    expect(again).toMatchObject({ policy: 'strict', rows: 4, settings: { labelColumn: 'label' } });
    expect(again.counts).toEqual(again.by_policy.strict);
    expect(again.by_policy.balanced).toEqual(decisions.counts);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).decisions).toMatchObject({
      policy: 'strict',
      counts: again.counts,
    });
    expect(strict.out).toContain(
      `${'exclude'.padEnd(18)} ${String(again.counts.exclude).padStart(12)}${String(decisions.counts.exclude).padStart(12)}`,
    );
    // Strict reverses a subset of what balanced reverses.
    const strictSafe = (await rowsOf(join(out, 'reverse-safe.csv'), 'csv')).map((r) => r.columns!.clip);
    expect(strictSafe.length).toBe(again.reverse_safe);
    expect(strictSafe.every((id) => safe.some((r) => r.columns!.clip === id))).toBe(true);
  });

  it('a captioned JSONL manifest: JSONL manifests with the original lines and rewritten captions', async () => {
    const manifest = join(media, 'captioned.jsonl');
    const lines = [
      '{"path":"drop.mp4","caption":"a ball falls to the floor","meta":{"fps":24}}',
      '{"path":"swing.mp4","caption":"a pendulum swings back and forth"}',
      '{"path":"slide.mp4","caption":"a puck slides to the right and stops"}',
    ];
    await writeFile(manifest, `${lines.join('\n')}\n`);
    const out = await tempDir();
    const summary = await scan({
      input: manifest,
      out,
      workers: 2,
      quiet: true,
      model: MODEL,
      captionColumn: 'caption',
      policy: 'permissive',
    });
    expect(summary.decisions).toMatchObject({ policy: 'permissive' });
    const safe = (await readFile(join(out, 'reverse-safe.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const excluded = (await readFile(join(out, 'excluded.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(safe.length + excluded.length).toBe(3);
    for (const original of lines) {
      const written = [...safe, ...excluded].find((l) => l.startsWith(original.slice(0, -1)))!;
      expect(written, original).toBeDefined();
      expect(written.slice(original.length - 1)).toMatch(
        /^,"reverse":(true|false),"label_reversed":null,"caption_reversed":/,
      );
    }
    const byPath = new Map([...safe, ...excluded].map((l) => JSON.parse(l)).map((r) => [r.path, r]));
    expect(byPath.get('drop.mp4')).toMatchObject({
      decision: 'exclude',
      verdict: 'irreversible',
      caption_reversed: null,
      reason: expect.stringMatching(/^caption says 'falls'/),
    });
    expect(byPath.get('drop.mp4').meta).toEqual({ fps: 24 });
    // Permissive reverses unless something says irreversible; the fixture model may still object.
    const slide = byPath.get('slide.mp4');
    if (slide.reverse)
      expect(slide).toMatchObject({
        decision: 'reverse_swap_label',
        caption_reversed: 'a puck slides to the left and stops',
      });
    const swing = byPath.get('swing.mp4');
    if (swing.reverse)
      expect(swing).toMatchObject({
        decision: 'reverse_keep_label',
        caption_reversed: 'a pendulum swings back and forth',
      });
    expect([slide, swing].every((r) => r.reverse || /model/.test(r.reason))).toBe(true);
  });

  it('names a missing label column before scanning anything', async () => {
    const manifest = join(media, 'labelled.csv');
    const out = await tempDir();
    const r = await (async () => {
      let err = '';
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        err += String(chunk);
        return true;
      });
      try {
        return {
          code: await runCli(['scan', manifest, '--out', out, '--label-column', 'class', '--model', 'none', '-q']),
          err,
        };
      } finally {
        spy.mockRestore();
      }
    })();
    expect(r.code).toBe(2);
    expect(r.err).toContain('Expected a column named "class" for --label-column');
    expect(r.err).toContain('"clip", "path", "label", "source"');
    await expect(readFile(join(out, 'clips.jsonl'), 'utf8')).rejects.toThrow();
  });
});

describe('the decision counts printed after decide', () => {
  it('keep a space between the policy headers, the one written starred', async () => {
    const { formatDecisionCounts } = await import('../../src/decide/redo.js');
    const counts = { reverse_keep_label: 1, reverse_swap_label: 0, exclude: 2 };
    const text = formatDecisionCounts({
      policy: 'permissive',
      by_policy: { strict: counts, balanced: counts, permissive: counts },
      reverse_safe: 1,
      excluded: 2,
      rows: 3,
    } as unknown as Parameters<typeof formatDecisionCounts>[0]);
    expect(text.split('\n')[0]).toMatch(/^decision +strict +balanced +permissive\*$/);
    expect(text.split('\n')[3]).toMatch(/^exclude +2 +2 +2$/);
  });
});
