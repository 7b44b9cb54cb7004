// Output folders in use, as users meet them: a second scan on a folder being scanned stops at once naming the
// first (and no row is doubled), every folder-writing command refuses a held folder, a report that cannot be
// written is exit 4, and a failed write names the folder and says that a rerun resumes.

import { watch } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, readLock, type LockHolder } from '../../src/io/lock.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCliProcess, startCli, tempDir } from '../fixtures/cli.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const CLIPS = ['drop', 'pan', 'swing', 'slide', 'spread', 'zoom'];

/** A manifest of the sample clips, each `copies` times under its own id (absolute paths). */
async function manifest(dir: string, copies: number): Promise<string> {
  const rows = ['id,path'];
  for (let c = 0; c < copies; c++) for (const n of CLIPS) rows.push(`${n}-${c},${join(SAMPLES, `${n}.mp4`)}`);
  const file = join(dir, 'manifest.csv');
  await writeFile(file, `${rows.join('\n')}\n`);
  return file;
}

/** Resolves once `dir` holds a lock file (watching the folder, no polling interval). */
function lockAppears(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = watch(dir, () => {
      readLock(dir).then((h) => {
        if (h) {
          w.close();
          resolve();
        }
      }, reject);
    });
    // It may have appeared before the watch started.
    readLock(dir).then((h) => {
      if (h) {
        w.close();
        resolve();
      }
    }, reject);
  });
}

async function jsonl(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('audit on a folder in use', () => {
  it('a second scan into the same --out exits 1 at once, naming the first; no row is doubled', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await mkdir(out);
    const input = await manifest(dir, 3);
    const args = ['scan', input, '--out', out, '--model', 'none', '--workers', '1', '--no-report', '-q'];
    const first = startCli(args);
    const firstEnded = first.done.then((r) =>
      Promise.reject(new Error(`the first scan ended before taking the lock: ${r.code} ${r.stderr}`)),
    );
    await Promise.race([lockAppears(out), firstEnded]);
    firstEnded.catch(() => undefined);
    // Freeze the first while it holds the folder, so the second meets it whatever the machine's speed.
    const holder = (await readLock(out))!;
    expect(holder.pid).toBe(first.child.pid);
    first.child.kill('SIGSTOP');
    let second: Awaited<ReturnType<typeof runCliProcess>>;
    try {
      second = await runCliProcess(args);
    } finally {
      first.child.kill('SIGCONT');
    }
    expect(second.code).toBe(EXIT.FAILURE);
    expect(second.stderr).toContain(
      `${out} is in use by another audit run (pid ${first.child.pid} on host ${hostname()}, started ${holder.started_at}`,
    );
    expect(second.stderr).toContain(`audit scan ${input} --out ${out}`);
    const r1 = await first.done;
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(EXIT.OK);
    const rows = await jsonl(join(out, 'clips.jsonl'));
    const ids = rows.map((r) => r.id as string);
    expect(ids).toHaveLength(18);
    expect(new Set(ids).size).toBe(18);
    expect(await jsonl(join(out, 'errors.jsonl'))).toEqual([]);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.counts).toMatchObject({ clips: 18, errors: 0, this_run_clips: 18 });
    expect((await readdir(out)).filter((f) => f.startsWith('.audit'))).toEqual([]);
  });

  it('scan, physics, decide, report and merge refuse a folder whose lock a live process holds, touching nothing', async () => {
    const dir = await tempDir();
    const out = join(dir, 'held');
    await mkdir(out);
    // This test process is alive on this host: its lock must be respected.
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      started_at: '2026-12-02T06:00:00.000Z',
      command: 'audit scan elsewhere --out held',
      nonce: '00112233aabbccdd',
    };
    const text = `${JSON.stringify(holder)}\n`;
    await writeFile(join(out, LOCK_FILE), text);
    const runs: Array<[string, string[]]> = [
      ['scan', ['scan', SAMPLES, '--out', out, '--model', 'none', '-q']],
      ['physics', ['physics', SAMPLES, '--out', out, '--model', 'none', '-q']],
      ['decide', ['decide', out]],
      ['report', ['report', out]],
      ['merge', ['merge', join(dir, 'shard-0'), '--out', out]],
    ];
    for (const [name, args] of runs) {
      const r = await runCliProcess(args);
      expect(r.code, `${name}: ${r.stderr}`).toBe(EXIT.FAILURE);
      expect(r.stderr, name).toContain(
        `is in use by another audit run (pid ${process.pid} on host ${hostname()}, started 2026-12-02T06:00:00.000Z, command: audit scan elsewhere --out held)`,
      );
      expect(await readdir(out), name).toEqual([LOCK_FILE]);
      expect(await readFile(join(out, LOCK_FILE), 'utf8'), name).toBe(text);
    }
  });

  it('a scan takes over the lock of a run that was killed, and releases it at the end', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await mkdir(out);
    const killed = startCli(['scan', SAMPLES, '--out', out, '--model', 'none', '--workers', '1', '--no-report', '-q']);
    const killedEnded = killed.done.then((r) =>
      Promise.reject(new Error(`the scan ended before taking the lock: ${r.code} ${r.stderr}`)),
    );
    await Promise.race([lockAppears(out), killedEnded]);
    killedEnded.catch(() => undefined);
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    expect((await readLock(out))?.pid).toBe(killed.child.pid);
    const r = await runCliProcess(['scan', SAMPLES, '--out', out, '--model', 'none', '--no-report', '-q']);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const ids = (await jsonl(join(out, 'clips.jsonl'))).map((x) => x.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect(await readLock(out)).toBeNull();
  });

  it('a report that cannot be written is exit 4, with the rows and the summary written', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    // A folder where report.html should go: the report's final rename fails.
    await mkdir(join(out, 'report.html'), { recursive: true });
    await writeFile(join(out, 'report.html', 'x'), 'x');
    const r = await runCliProcess(['scan', SAMPLES, '--out', out, '--model', 'none', '-q']);
    expect(r.code, r.stderr).toBe(EXIT.REPORT_FAILED);
    expect(r.stderr).toContain(`${join(out, 'report.html')} was not written`);
    expect(r.stderr).toContain(`audit report ${out}`);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('complete');
    expect(summary.report.error).toContain(join(out, 'report.html'));
    expect(await jsonl(join(out, 'clips.jsonl'))).toHaveLength(6);
    // a file where the contact sheets' folder goes: said as the run's other file errors are, not as a bare errno
    const other = join(dir, 'other');
    await mkdir(other);
    await writeFile(join(other, 'report'), 'x');
    const sheets = await runCliProcess(['scan', SAMPLES, '--out', other, '-q']);
    expect(sheets.code, sheets.stderr).toBe(EXIT.REPORT_FAILED);
    expect(sheets.stderr).toMatch(/was not written: Cannot mkdir .*other\/report: file already exists \(EEXIST\)/);
  });

  it('an --out that cannot be created names it, the operation and the errno, and says a rerun resumes', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), 'x');
    const out = join(dir, 'a-file', 'out');
    const r = await runCliProcess(['scan', SAMPLES, '--out', out, '--model', 'none', '-q']);
    expect(r.code).toBe(EXIT.FAILURE);
    expect(r.stderr).toContain(
      `audit: Cannot create the output folder ${out}: not a directory (ENOTDIR); a part of the path is a file, not a folder.\nRun the same command again to resume; finished clips are kept.`,
    );
  });
});
