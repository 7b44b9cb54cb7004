// The scan pipeline end to end: outputs, resume after a kill, shards and merge, bad rows.

import { appendFile, copyFile, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonl } from '../../src/io/jsonl-log.js';
import { readParquetRows, writeParquet } from '../../src/io/parquet-writer.js';
import { merge } from '../../src/pipeline/merge.js';
import { scan } from '../../src/pipeline/scan.js';
import { readSeries } from '../../src/outputs/series-file.js';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { DEFAULT_ARROW_HEAD, headArrow, loadArrowHead } from '../../src/model/arrow-head.js';
import { fileURLToPath } from 'node:url';
import { sceneClip } from '../fixtures/clips.js';
import { runCliProcess, startCli, tempDir } from '../fixtures/cli.js';

async function rows(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const { value } of readJsonl(path)) out.push(value as Record<string, unknown>);
  return out;
}

let media: string;
let manifest: string;
const SCENES = ['drop', 'pan', 'swing', 'slide', 'still', 'zoom'] as const;
const N = 12;

beforeAll(async () => {
  media = await tempDir('audit-media-');
  for (const s of SCENES) await sceneClip(s, join(media, `${s}.mp4`), { seconds: 1.5 });
  // 12 rows over 6 files: ids differ, so each row is its own clip; captions carry commas and quotes.
  const lines = ['id,path,label,caption'];
  for (let i = 0; i < N; i++)
    lines.push(`clip-${i},${SCENES[i % SCENES.length]}.mp4,${SCENES[i % SCENES.length]},"a ""quoted"", caption ${i}"`);
  manifest = join(media, 'manifest.csv');
  await writeFile(manifest, `${lines.join('\n')}\n`);
});

describe('scan', () => {
  it('writes one row per clip to clips.jsonl and clips.parquet, with series and kept columns', async () => {
    const out = await tempDir();
    const summary = await scan({ input: manifest, out, workers: 2, quiet: true });
    expect(summary.status).toBe('complete');
    expect(summary.counts).toMatchObject({ input_rows: N, shard_rows: N, clips: N, errors: 0 });
    const clips = await rows(join(out, 'clips.jsonl'));
    expect(clips).toHaveLength(N);
    expect(new Set(clips.map((c) => c.id)).size).toBe(N);
    const first = clips.find((c) => c.id === 'clip-0')!;
    expect(first.input).toEqual({ id: 'clip-0', path: 'drop.mp4', label: 'drop', caption: 'a "quoted", caption 0' });
    expect(first.analysis_height).toBe(96);
    expect(first.series_columns).toBe(CUE_COLUMNS.length);
    const series = await readSeries(out, first as never);
    expect(series.frames).toBe(first.series_pairs);
    expect(Array.from(series.data).every(Number.isFinite)).toBe(true);
    const pq: Record<string, unknown>[] = [];
    for await (const r of readParquetRows(join(out, 'clips.parquet'))) pq.push(r);
    expect(pq).toHaveLength(N);
    expect(pq.map((r) => r.id).sort()).toEqual(clips.map((c) => c.id).sort());
    const sum = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(sum.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('resumes after SIGKILL without losing or doubling rows', async () => {
    // 60 rows on one worker, polled every 20 ms: the kill after the third row lands long before the last of them,
    // however fast the machine (12 rows polled every 100 ms could all finish first).
    const many = join(media, 'many.csv');
    const M = 60;
    await writeFile(
      many,
      `id,path\n${Array.from({ length: M }, (_, i) => `many-${i},${SCENES[i % SCENES.length]}.mp4`).join('\n')}\n`,
    );
    const out = await tempDir();
    const { child, done } = startCli(['scan', many, '--out', out, '--workers', '1', '--quiet', '--no-report']);
    for (let i = 0; i < 3000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const n = (await rows(join(out, 'clips.jsonl')).catch(() => [])).length;
      if (n >= 3) break;
    }
    child.kill('SIGKILL');
    await done;
    const before = (await rows(join(out, 'clips.jsonl'))).length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(M);
    const second = await runCliProcess(['scan', many, '--out', out, '--workers', '2', '--quiet', '--no-report']);
    expect(second.code, second.stderr).toBe(0);
    const clips = await rows(join(out, 'clips.jsonl'));
    expect(clips).toHaveLength(M);
    expect(new Set(clips.map((c) => c.id)).size).toBe(M);
    const sum = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(sum.counts.resumed).toBe(before);
    expect(sum.counts.this_run_clips).toBe(M - before);
  }, 120_000);

  it('stops cleanly on SIGINT with exit code 130 and resumes', async () => {
    // 60 rows (the 6 files again and again, each row its own id) on one worker: the signal sent after the second row
    // lands long before the last of them, however fast the machine; the resume uses both cores.
    const long = join(media, 'long.csv');
    const M = 60;
    await writeFile(
      long,
      `id,path\n${Array.from({ length: M }, (_, i) => `long-${i},${SCENES[i % SCENES.length]}.mp4`).join('\n')}\n`,
    );
    const out = await tempDir();
    const { child, done } = startCli([
      'scan',
      long,
      '--out',
      out,
      '--workers',
      '1',
      '--quiet',
      '--model',
      'none',
      '--no-report',
    ]);
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if ((await rows(join(out, 'clips.jsonl')).catch(() => [])).length >= 2) break;
    }
    child.kill('SIGINT');
    const first = await done;
    expect(first.code).toBe(130);
    const sum = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(sum.status).toBe('interrupted');
    const kept = (await rows(join(out, 'clips.jsonl'))).length;
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(M);
    const again = await runCliProcess([
      'scan',
      long,
      '--out',
      out,
      '--quiet',
      '--model',
      'none',
      '--no-report',
      '--workers',
      '2',
    ]);
    expect(again.code, again.stderr).toBe(0);
    const clips = await rows(join(out, 'clips.jsonl'));
    expect(clips).toHaveLength(M);
    expect(new Set(clips.map((c) => c.id)).size).toBe(M);
  });

  it('shards by a stable hash of the id and merges them back, refusing a missing shard', async () => {
    const base = await tempDir();
    const parts = [];
    for (let i = 0; i < 3; i++) {
      const out = join(base, `shard-${i}`);
      const s = await scan({ input: manifest, out, shard: `${i}/3`, workers: 2, quiet: true });
      parts.push({ out, s });
    }
    const sizes = parts.map((p) => p.s.counts.clips);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(N);
    // Same shard twice picks the same rows.
    const again = await scan({
      input: manifest,
      out: join(base, 'again-0'),
      shard: '0/3',
      workers: 2,
      quiet: true,
      parquet: false,
    });
    const idsA = (await rows(join(parts[0].out, 'clips.jsonl'))).map((r) => r.id).sort();
    const idsB = (await rows(join(base, 'again-0', 'clips.jsonl'))).map((r) => r.id).sort();
    expect(idsB).toEqual(idsA);
    expect(again.counts.clips).toBe(idsA.length);

    const merged = await merge(
      parts.map((p) => p.out),
      join(base, 'all'),
    );
    expect(merged).toMatchObject({ shards: 3, input_rows: N, clips: N, errors: 0 });
    const all = await rows(join(base, 'all', 'clips.jsonl'));
    expect(new Set(all.map((r) => r.id)).size).toBe(N);
    const s0 = await readSeries(join(base, 'all'), all[0] as never);
    expect(s0.frames).toBe(all[0].series_pairs);

    await expect(merge([parts[0].out, parts[2].out], join(base, 'partial'))).rejects.toThrow(/Missing shard 1\/3/);
    await expect(merge([parts[0].out, parts[0].out, parts[1].out], join(base, 'double'))).rejects.toThrow(
      /appears twice/,
    );
    // A clip id in two shards (a shard folder edited by hand): the merge names both files and the line.
    const tampered = join(base, 'tampered-1');
    await cp(parts[1].out, tampered, { recursive: true });
    const stray = (await readFile(join(parts[0].out, 'clips.jsonl'), 'utf8')).split('\n')[0];
    await appendFile(join(tampered, 'clips.jsonl'), `${stray}\n`);
    const strayLine = (await readFile(join(tampered, 'clips.jsonl'), 'utf8')).trim().split('\n').length;
    await expect(merge([parts[0].out, tampered, parts[2].out], join(base, 'twice'))).rejects.toThrow(
      `is in ${join(parts[0].out, 'clips.jsonl')} and in ${join(tampered, 'clips.jsonl')} line ${strayLine}`,
    );
    const cli = await runCliProcess(['merge', parts[0].out, '--out', join(base, 'cli-partial')]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/Missing shards 1\/3, 2\/3/);
  });

  it('stops at once when interrupted before its rows start (while the model loads or the rows are counted)', async () => {
    const out = await tempDir();
    const summary = await scan(
      { input: manifest, out, model: 'none', report: false, quiet: true },
      { signal: AbortSignal.abort() },
    );
    expect(summary.status).toBe('interrupted');
    expect(summary.counts.clips).toBe(0);
    expect(summary.decisions).toBeUndefined();
    // and the rerun finishes it
    const again = await scan({ input: manifest, out, model: 'none', report: false, quiet: true });
    expect(again.counts).toMatchObject({ input_rows: N, clips: N, resumed: 0 });
  });

  it("merges only shards made alike, and the merged folder decides with the shards' caption column", async () => {
    const base = await tempDir();
    const withMissing = join(media, 'manifest-missing.csv');
    await writeFile(withMissing, `${await readFile(manifest, 'utf8')}gone,gone.mp4,drop,the ball drops\n`);
    const shard = (i: number, o: Partial<Parameters<typeof scan>[0]> = {}) =>
      scan({
        input: withMissing,
        out: join(base, `s${i}-${JSON.stringify(o).replace(/\W/g, '')}`),
        shard: `${i}/2`,
        model: 'none',
        captionColumn: 'caption',
        report: false,
        quiet: true,
        ...o,
      }).then((s) => s.out);
    const [s0, s1] = [await shard(0), await shard(1)];
    const out = join(base, 'all');
    await merge([s0, s1], out);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    // the shards' own decisions covered one shard each; the error counts are the merged rows'
    expect(summary.decisions).toBeUndefined();
    expect(summary.counts).toMatchObject({ clips: N, errors: 1, errors_by_code: { missing: 1 } });
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')).model).toBeNull();
    const { decideScan } = await import('../../src/decide/redo.js');
    const d = await decideScan(out);
    expect(d.settings.captionColumn).toBe('caption');
    expect(d.rows).toBe(N + 1);
    // a shard measured at another frame rate, or given another caption column, is refused
    await expect(merge([s0, await shard(1, { fps: 8 })], join(base, 'fps'))).rejects.toThrow(
      /was scanned with model none, settings .*"fps":8.*Merging would mix rows measured differently/,
    );
    await expect(merge([s0, await shard(1, { captionColumn: 'label' })], join(base, 'cap'))).rejects.toThrow(
      /was scanned with captionColumn "label" but .* with "caption"/,
    );
    // a shard that named its clips by another column would duplicate some rows and lose others: refused
    await expect(merge([s0, await shard(1, { idColumn: 'path' })], join(base, 'ids'))).rejects.toThrow(
      /was scanned with .*manifest columns \{"pathColumn":"path","idColumn":"path"\}.*Merging would mix/,
    );
    // a shard folder that lost a row since it was scanned (a partial copy) is refused, naming the counts
    const cut = join(base, 'cut');
    await cp(s1, cut, { recursive: true });
    const kept = (await readFile(join(cut, 'clips.jsonl'), 'utf8')).trim().split('\n').slice(1);
    await writeFile(join(cut, 'clips.jsonl'), `${kept.join('\n')}\n`);
    await expect(merge([s0, cut], join(base, 'cut-all'))).rejects.toThrow(
      new RegExp(
        `Shard folder .*cut holds ${kept.length} clip rows and \\d+ error rows, but its summary\\.json counts`,
      ),
    );
    // a clip whose id looks like the key of a row that never had an id (`row:3`, line 3's bad record) is no double
    const odd = join(media, 'manifest-odd.csv');
    await writeFile(odd, 'id,path\nrow:3,drop.mp4\n"bad"x,pan.mp4\n');
    const one = await scan({ input: odd, out: join(base, 'odd'), shard: '0/1', model: 'none', quiet: true });
    expect(one.counts).toMatchObject({ clips: 1, errors: 1 });
    await expect(merge([one.out], join(base, 'odd-all'))).resolves.toMatchObject({ clips: 1, errors: 1 });
  });

  it('checks the segment columns: a misspelt one, one on input without columns, or one added on a resume', async () => {
    const out = await tempDir();
    const file = join(media, 'manifest-seg.csv');
    await writeFile(file, 'id,path,s,e\na,drop.mp4,0,1\nb,pan.mp4,,\n');
    const opts = { input: file, out, model: 'none', report: false, quiet: true };
    // a column that is not there would make every row its whole video: refused before anything is scanned
    await expect(scan({ ...opts, startColumn: 'nosuch', endColumn: 'e' })).rejects.toThrow(
      /Expected a column named "nosuch" \(--start-column\) for .*manifest-seg\.csv line 1 but received \["id","path","s","e"\]/,
    );
    await expect(scan({ ...opts, input: media, startColumn: 's', endColumn: 'e' })).rejects.toThrow(
      /Expected a manifest .* for --start-column and --end-column.* is a folder/,
    );
    // whole clips first; the same folder asked for segments would mix whole clips with segments
    expect((await scan(opts)).counts).toMatchObject({ clips: 2 });
    await expect(scan({ ...opts, startColumn: 's', endColumn: 'e' })).rejects.toThrow(
      /manifest columns \{"pathColumn":"path","idColumn":"id"\}; this run asks for .*"startColumn":"s","endColumn":"e"/,
    );
    // a run.json written before it recorded the columns: the earlier run's summary.json still names them
    const runJson = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    delete runJson.input;
    await writeFile(join(out, 'run.json'), JSON.stringify(runJson));
    await expect(scan({ ...opts, idColumn: 'path' })).rejects.toThrow(/this run asks for .*"idColumn":"path"/);
    await expect(scan(opts)).resolves.toMatchObject({ counts: { clips: 2, resumed: 2 } });
  });

  it('finds manifest problems again on every run (a row fixed since is scanned), and refuses rows that moved', async () => {
    const out = await tempDir();
    const file = join(media, 'manifest-fix.csv');
    const opts = { input: file, out, model: 'none', report: false, quiet: true };
    await writeFile(file, 'id,path\na,drop.mp4\nb,"pan.mp4\nc,swing.mp4\na,slide.mp4\n');
    const first = await scan(opts);
    expect(first.counts).toMatchObject({ input_rows: 4, clips: 2, errors: 2 }); // line 3's bad quote, line 5's repeated id
    await writeFile(file, 'id,path\na,drop.mp4\nb,pan.mp4\nc,swing.mp4\na,slide.mp4\n');
    const fixed = await scan(opts);
    expect(fixed.counts).toMatchObject({ input_rows: 4, clips: 3, errors: 1, errors_by_code: { duplicate_id: 1 } });
    // a row inserted above: the rows written no longer match the manifest, and the rerun says so instead of mixing;
    // the counting pass finds it before any clip is scanned, so the finished folder stays finished
    const restored = 'id,path\na,drop.mp4\nb,pan.mp4\nc,swing.mp4\na,slide.mp4\n';
    await writeFile(file, 'id,path\nz,still.mp4\na,drop.mp4\nb,pan.mp4\nc,swing.mp4\na,slide.mp4\n');
    const moved = /Row 3 of .* holds "a", which an earlier run into .* scanned at row 2/;
    await expect(scan(opts)).rejects.toThrow(moved);
    const status = async () => JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).status;
    expect(await status()).toBe('complete');
    expect(await rows(join(out, 'clips.jsonl'))).toHaveLength(3);
    // rows removed since: the counting pass finds the rows written that the input no longer has
    await writeFile(file, 'id,path\na,drop.mp4\nb,pan.mp4\n');
    await expect(scan(opts)).rejects.toThrow(/1 of the rows an earlier run into .* wrote are not in .* any more/);
    expect(await status()).toBe('complete');
    // without the counting pass the rows loop finds it; the folder is then unfinished, so decide waits for a rerun
    await writeFile(file, `id,path\n"bad"x,still.mp4\n${restored.slice('id,path\n'.length)}`);
    await expect(scan({ ...opts, count: false })).rejects.toThrow(moved);
    expect(await status()).toBe('interrupted');
    // restored, the same command finishes it again
    await writeFile(file, restored);
    const again = await scan(opts);
    expect(again.counts).toMatchObject({ input_rows: 4, clips: 3, errors: 1 });
    expect(again.decisions).not.toHaveProperty('error');
  });

  it('reports manifest problems with line numbers and carries on', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'm.jsonl'),
      [
        JSON.stringify({ id: 'a', path: join(media, 'drop.mp4') }),
        '{"id": "b", "path": ',
        JSON.stringify({ id: 'c' }),
        JSON.stringify({ id: 'a', path: join(media, 'pan.mp4') }),
        JSON.stringify({ id: 'd', path: join(media, 'pan.mp4') }),
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const r = await runCliProcess(['scan', join(dir, 'm.jsonl'), '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(3);
    const errs = await rows(join(out, 'errors.jsonl'));
    const clips = await rows(join(out, 'clips.jsonl'));
    expect(clips.map((c) => c.id).sort()).toEqual(['a', 'd']);
    expect(errs.map((e) => e.row).sort()).toEqual([2, 3, 4]);
    expect(errs.find((e) => e.row === 2)!.message).toMatch(/line 2/i);
    expect(errs.find((e) => e.row === 4)!.code).toBe('duplicate_id');
  });

  it('keeps errors on resume, and tries them again with --retry-errors', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'm.csv'), 'id,path\nok,ok.mp4\nlate,late.mp4\n');
    await copyFile(join(media, 'drop.mp4'), join(dir, 'ok.mp4'));
    const out = join(dir, 'out');
    const first = await scan({ input: join(dir, 'm.csv'), out, quiet: true });
    expect(first.counts).toMatchObject({ clips: 1, errors: 1, errors_by_code: { missing: 1 } });
    await copyFile(join(media, 'pan.mp4'), join(dir, 'late.mp4'));
    const again = await scan({ input: join(dir, 'm.csv'), out, quiet: true });
    expect(again.counts).toMatchObject({ clips: 1, errors: 1, this_run_clips: 0, this_run_errors: 0 });
    const retried = await scan({ input: join(dir, 'm.csv'), out, quiet: true, retryErrors: true });
    expect(retried.counts).toMatchObject({ clips: 2, errors: 0, this_run_clips: 1 });
    expect(await rows(join(out, 'errors.jsonl'))).toHaveLength(0);
    expect((await rows(join(out, 'clips.jsonl'))).map((r) => r.id).sort()).toEqual(['late', 'ok']);
  });

  it('reads Parquet and JSONL manifests and single files the same way', async () => {
    const dir = await tempDir();
    const rowsIn = SCENES.map((s, i) => ({ id: `p${i}`, video: `${s}.mp4`, label: s }));
    // Manifests live beside the media so relative paths resolve against the manifest's folder.
    await writeParquet(
      join(media, 'm.parquet'),
      [
        { name: 'id', type: 'string' },
        { name: 'video', type: 'string' },
        { name: 'label', type: 'string' },
      ],
      rowsIn,
    );
    await writeFile(join(media, 'm.jsonl'), rowsIn.map((r) => JSON.stringify(r)).join('\n'));
    for (const name of ['m.parquet', 'm.jsonl']) {
      const s = await scan({
        input: join(media, name),
        out: join(dir, name),
        pathColumn: 'video',
        workers: 2,
        quiet: true,
        parquet: false,
      });
      expect(s.counts, name).toMatchObject({ input_rows: SCENES.length, clips: SCENES.length, errors: 0 });
      const clips = await rows(join(dir, name, 'clips.jsonl'));
      expect(clips.find((c) => c.id === 'p0')!.input, name).toEqual({ id: 'p0', video: 'drop.mp4', label: 'drop' });
    }
    const single = await scan({ input: join(media, 'swing.mp4'), out: join(dir, 'single'), quiet: true });
    expect(single.counts).toMatchObject({ input_rows: 1, clips: 1, errors: 0 });
    expect(single.input.kind).toBe('file');
  });

  it('exits 2 on a usage error and 1 on a missing input, with readable messages', async () => {
    const out = await tempDir();
    const usage = await runCliProcess(['scan', manifest, '--out', out, '--workers', 'zero']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--workers/);
    const missing = await runCliProcess(['scan', join(out, 'nope.csv'), '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv/);
    const noPathColumn = join(out, 'bad.csv');
    await writeFile(noPathColumn, 'file,label\nx.mp4,a\n');
    const r = await runCliProcess(['scan', noPathColumn, '--out', join(out, 'o')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/path/);
    expect(r.stderr).toMatch(/file/);
  });
});

describe('scan with a model', () => {
  const TINY = new URL('../fixtures/model/tiny.onnx', import.meta.url).pathname;

  it('adds verdict columns; the reversed clips get 1 - p_forward and the same verdict', async () => {
    const out = await tempDir();
    const fwd = await scan({
      input: manifest,
      out: join(out, 'fwd'),
      model: TINY,
      device: 'cpu',
      batch: 5,
      workers: 2,
      quiet: true,
    });
    const rev = await scan({
      input: manifest,
      out: join(out, 'rev'),
      model: TINY,
      device: 'cpu',
      batch: 5,
      workers: 2,
      quiet: true,
      reverse: true,
    });
    expect(fwd.counts.clips).toBe(N);
    expect(rev.counts.clips).toBe(N);
    const a = new Map((await rows(join(out, 'fwd', 'clips.jsonl'))).map((r) => [r.id, r]));
    const b = await rows(join(out, 'rev', 'clips.jsonl'));
    let judged = 0;
    for (const r of b) {
      const f = a.get(r.id)!;
      if (String(f.path).endsWith('still.mp4')) {
        // nothing moves: a degenerate clip gets no verdict, both ways, and says why
        expect(f.verdict).toBeNull();
        expect(r.verdict).toBeNull();
        expect((f.doubt as string[])[0]).toMatch(/^still: /);
        continue;
      }
      judged++;
      expect(['invariant', 'equivariant', 'irreversible']).toContain(f.verdict);
      expect(Number(f.p_invariant) + Number(f.p_equivariant) + Number(f.p_irreversible)).toBeCloseTo(1, 4);
      expect(Number(r.p_forward)).toBeCloseTo(1 - Number(f.p_forward), 4);
      expect(r.verdict).toBe(f.verdict);
      expect(f.reversed_in_corpus).toBe(Number(f.p_forward) < 0.1);
      expect(String(f.model_version)).toMatch(/@/);
      expect((f.embedding_forward as number[]).length).toBeGreaterThan(0);
      // The reversed file's directional embeddings are the forward file's, swapped (up to decoding noise).
      expect((r.embedding_reversed as number[]).length).toBe((f.embedding_forward as number[]).length);
    }
    expect(judged).toBe(N - 2); // the two rows of still.mp4
    const pq: Record<string, unknown>[] = [];
    for await (const r of readParquetRows(join(out, 'fwd', 'clips.parquet'))) pq.push(r);
    expect(pq.filter((r) => typeof r.p_forward === 'number')).toHaveLength(N - 2);
  });

  it('--arrow-head FILE gives p_forward (run.json names it); another model than the shipped one keeps its own', async () => {
    const out = await tempDir();
    const base = { input: manifest, model: TINY, device: 'cpu' as const, workers: 2, quiet: true, report: false };
    const shipped = fileURLToPath(DEFAULT_ARROW_HEAD);
    await scan({ ...base, out: join(out, 'head'), arrowHead: shipped });
    await scan({ ...base, out: join(out, 'own') });
    const head = await loadArrowHead(shipped);
    const run = JSON.parse(await readFile(join(out, 'head', 'run.json'), 'utf8'));
    expect(run.arrow).toBe(`${head.name}@${head.version}`);
    expect(JSON.parse(await readFile(join(out, 'own', 'run.json'), 'utf8')).arrow).toBeUndefined();
    const own = new Map((await rows(join(out, 'own', 'clips.jsonl'))).map((r) => [r.id, r]));
    let compared = 0;
    for (const r of await rows(join(out, 'head', 'clips.jsonl'))) {
      if (r.p_forward === null) continue;
      const series = await readSeries(join(out, 'head'), r as Parameters<typeof readSeries>[1]);
      expect(Number(r.p_forward)).toBeCloseTo(headArrow(head, series).p_forward, 6);
      // The verdict is the model's either way; only the arrow differs.
      expect(r.verdict).toBe(own.get(r.id)?.verdict);
      expect(r.p_irreversible).toBe(own.get(r.id)?.p_irreversible);
      compared++;
    }
    expect(compared).toBe(N - 2);
    // A folder scanned with one arrow does not resume with the other.
    await expect(scan({ ...base, out: join(out, 'own'), arrowHead: shipped })).rejects.toThrow(/arrow head/);
    await expect(scan({ ...base, model: 'none', arrowHead: 'x.json', out: join(out, 'none') })).rejects.toThrow(
      /--arrow-head/,
    );
  });

  it('fails with exit 1 and the alternatives when an explicit device cannot load', async () => {
    const out = await tempDir();
    const r = await runCliProcess(['scan', manifest, '--out', out, '--model', TINY, '--device', 'cuda', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cpu/);
  });
});
