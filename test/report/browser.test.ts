// report.html in a real browser (Debian's Chromium driven by playwright-core): it loads from file:// with no
// errors and no network, charts and galleries render, the table sorts and filters, hostile names stay text,
// and a 10,000-clip report's load time is measured (printed and written to test-output/report/timing.json).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan, writeClipsParquet } from '../../src/pipeline/scan.js';
import { writeReport } from '../../src/report/index.js';
import { tempDir } from '../io/tmp.js';

// Callbacks given to page.evaluate run in the browser; this project compiles without the DOM types, so the few
// browser globals they use are declared loosely here.
// biome-ignore lint/suspicious/noExplicitAny: page.evaluate callbacks run in the browser, whose DOM types this Node project does not load
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: as above
declare const window: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM)
  console.warn(
    `report browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLES = join(ROOT, 'samples');
const SHOTS = join(ROOT, 'test-output', 'report');
const TINY_MODEL = join(ROOT, 'test/fixtures/model/tiny.onnx');
/** A file name and texts that try to break out of HTML text and attributes. */
const EVIL_FILE = `x<img src=x onerror=alert(1)>" onerror=alert(2) x=".mp4`;
const EVIL_LABEL = '<script>alert(3)</script>';
const EVIL_CAPTION = `" onerror=alert(4) x="<script>alert(5)</script>`;
const EVIL_ID = '<svg onload=alert(6)>';
const BIG_ROWS = 10_000;

function reverseVideo(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ff = spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-y',
        '-i',
        src,
        '-vf',
        'reverse',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-crf',
        '18',
        '-pix_fmt',
        'yuv420p',
        dst,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
    ff.on('error', reject);
    ff.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
  });
}

const csv = (s: string) => `"${s.replace(/"/g, '""')}"`;

let browser: Browser;
let small: string; // a real scan of 5 clips (one reversed, one with a hostile name) plus a missing one
let big: string; // the same rows repeated to 10,000 clips
let reportWriteS = 0;

/** Opens a page, recording console errors, page errors, dialogs, CSP violations and every request URL. */
async function open(file: string): Promise<{
  page: Page;
  problems: string[];
  dialogs: string[];
  requests: string[];
  loadMs: number;
  navMs: { domContentLoaded: number; load: number };
}> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const t0 = performance.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const loadMs = performance.now() - t0;
  const navMs = await page.evaluate(() => {
    const n = (
      performance as unknown as {
        getEntriesByType(t: string): Array<{ domContentLoadedEventEnd: number; loadEventEnd: number }>;
      }
    ).getEntriesByType('navigation')[0];
    return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  return { page, problems, dialogs, requests, loadMs, navMs };
}

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const media = await tempDir();
  for (const f of ['drop.mp4', 'swing.mp4', 'pan.mp4']) await copyFile(join(SAMPLES, f), join(media, f));
  await copyFile(join(SAMPLES, 'slide.mp4'), join(media, EVIL_FILE));
  // The drop played backwards: the model's p_forward mirrors the forward clip's (0.96), so it is flagged reversed_in_corpus.
  await reverseVideo(join(SAMPLES, 'drop.mp4'), join(media, 'drop-reversed.mp4'));
  const manifest = join(media, 'manifest.csv');
  await writeFile(
    manifest,
    [
      'id,path,label,caption',
      'drop,drop.mp4,dropping,A ball is dropped and bounces lower each time',
      'drop-rev,drop-reversed.mp4,dropping,The same ball played backwards',
      'swing,swing.mp4,swinging,A pendulum swings',
      'pan,pan.mp4,panning,The camera pans right',
      `${csv(EVIL_ID)},${csv(EVIL_FILE)},${csv(EVIL_LABEL)},${csv(EVIL_CAPTION)}`,
      `missing,${csv(`gone${EVIL_LABEL}.mp4`)},x,y`,
    ].join('\n') + '\n',
  );
  small = await tempDir();
  await scan({
    input: manifest,
    out: small,
    workers: 2,
    quiet: true,
    model: TINY_MODEL,
    arrowHead: 'none',
    report: true,
  });

  // 10,000 clips: the real rows repeated with new ids; the series and contact sheets are shared.
  big = await tempDir();
  for (const f of ['summary.json', 'cues.json', 'errors.jsonl']) await copyFile(join(small, f), join(big, f));
  await cp(join(small, 'series'), join(big, 'series'), { recursive: true });
  await cp(join(small, 'report'), join(big, 'report'), { recursive: true });
  const rows = (await readFile(join(small, 'clips.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const lines: string[] = [];
  for (let i = 0; i < BIG_ROWS; i++) {
    const r = rows[i % rows.length];
    lines.push(JSON.stringify({ ...r, id: `${String(r.id)}-${i}`, row: i + 2 }));
  }
  await writeFile(join(big, 'clips.jsonl'), `${lines.join('\n')}\n`);
  await writeClipsParquet(big);
  const t0 = performance.now();
  await writeReport(big);
  reportWriteS = (performance.now() - t0) / 1000;

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!HAS_CHROMIUM)('report.html in Chromium', () => {
  it('loads from file:// with no console errors, no CSP violations and no network request', async () => {
    const { page, problems, requests } = await open(join(small, 'report.html'));
    await page.locator('#galleries').scrollIntoViewIfNeeded();
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
    expect(requests.length).toBeGreaterThan(1); // the page and its contact sheets
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  });

  it('renders the charts as SVG with a size, and the galleries with contact sheets and curves', async () => {
    const { page } = await open(join(small, 'report.html'));
    await page.screenshot({ path: join(SHOTS, 'first-screen.png') });
    const charts = await page.locator('svg.chart').evaluateAll((els) =>
      els.map((e) => ({
        w: e.getBoundingClientRect().width,
        h: e.getBoundingClientRect().height,
        marks: e.querySelectorAll('rect').length,
      })),
    );
    expect(charts.length).toBeGreaterThanOrEqual(4); // verdicts, p_forward, key cues
    for (const c of charts) {
      expect(c.w).toBeGreaterThan(100);
      expect(c.h).toBeGreaterThan(50);
    }
    expect(await page.locator('[data-chart="verdicts"] g.bar').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-chart="p_forward"] rect.hbar').count()).toBeGreaterThanOrEqual(2);

    const flagged = page.locator('#gallery-reversed figure.clip');
    expect(await flagged.count()).toBeGreaterThanOrEqual(1);
    expect(await flagged.first().locator('figcaption b').textContent()).toBe('drop-rev');
    for (const key of ['irreversible', 'doubtful', 'reversed']) {
      const img = page.locator(`#gallery-${key} img.sheet`).first();
      await img.scrollIntoViewIfNeeded();
      await expect
        .poll(
          () =>
            img.evaluate((e) =>
              (e as unknown as { complete: boolean }).complete
                ? (e as unknown as { naturalWidth: number }).naturalWidth
                : 0,
            ),
          { timeout: 10_000 },
        )
        .toBeGreaterThan(100);
      const box = await img.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(50);
    }
    expect(await page.locator('figure.clip .curves svg polyline').count()).toBeGreaterThan(0);
    await page.evaluate(() => document.getElementById('galleries')!.scrollIntoView());
    await page.screenshot({ path: join(SHOTS, 'gallery.png') });
    await page.close();
  });

  it('sorts the clip table by a column and filters it by verdict, label and score', async () => {
    const { page } = await open(join(small, 'report.html'));
    const visibleIds = () => page.locator('#clips tbody tr:not([hidden]) td:first-child').allTextContents();
    const column = async (title: string) => (await page.locator('#clips thead th').allTextContents()).indexOf(title);
    const pfCol = await column('p_forward');
    const pfValues = () =>
      page
        .locator(`#clips tbody tr:not([hidden]) td:nth-child(${pfCol + 1})`)
        .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-v'))));
    const before = await visibleIds();
    expect(before).toHaveLength(5);

    await page.locator('#clips thead th').nth(pfCol).locator('button').click();
    const desc = await pfValues();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    expect(await page.locator('#clips thead th').nth(pfCol).getAttribute('aria-sort')).toBe('descending');
    const descIds = await visibleIds();
    await page.locator('#clips thead th').nth(pfCol).locator('button').click();
    const asc = await pfValues();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(await visibleIds()).toEqual([...descIds].reverse());
    expect(descIds.join() !== before.join() || asc.join() !== desc.join()).toBe(true);

    const verdicts = await page
      .locator('#clips tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict')));
    const pick = verdicts[0]!;
    await page.selectOption('#f-verdict', pick);
    const shownVerdicts = await page
      .locator('#clips tbody tr:not([hidden])')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict')));
    expect(shownVerdicts).toHaveLength(verdicts.filter((v) => v === pick).length);
    expect(shownVerdicts.every((v) => v === pick)).toBe(true);
    expect(await page.locator('#shown').textContent()).toBe(`${shownVerdicts.length} of 5 rows shown`);
    await page.selectOption('#f-verdict', '');

    await page.fill('#f-label', 'dropp');
    expect((await visibleIds()).sort()).toEqual(['drop', 'drop-rev']);
    await page.fill('#f-label', '');

    await page.selectOption('#f-score', String(pfCol));
    await page.fill('#f-max', '0.5');
    const low = await pfValues();
    expect(low.length).toBeGreaterThanOrEqual(1);
    expect(low.length).toBeLessThan(5);
    expect(low.every((p) => p <= 0.5)).toBe(true);
    await page.close();
  });

  it('shows hostile file names, labels and captions as text: no dialog, no injected element', async () => {
    const { page, dialogs, problems } = await open(join(small, 'report.html'));
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('[onerror], [onload]').count()).toBe(0);
    expect(await page.locator('img:not(.sheet)').count()).toBe(0);
    expect(
      await page.locator('svg').evaluateAll((els) => els.filter((e) => !e.closest('.curves, .chart-box')).length),
    ).toBe(0);
    const text = (await page.locator('body').textContent()) ?? '';
    for (const s of [EVIL_FILE, EVIL_LABEL, EVIL_CAPTION, EVIL_ID, `gone${EVIL_LABEL}.mp4`]) expect(text).toContain(s);
    const data = JSON.parse((await page.locator('#report-data').textContent()) ?? '{}');
    expect(data.counts).toMatchObject({ clips: 5, errors: 1 });
    await page.close();
  });

  it('opens a 10,000-clip report (table of the first 2000 rows) and measures its load time', async () => {
    const html = join(big, 'report.html');
    const { page, problems, loadMs, navMs } = await open(html);
    expect(problems).toEqual([]);
    expect(await page.locator('#clips tbody tr').count()).toBe(2000);
    // The table holds 2000 rows and displays them a page of 250 at a time.
    const visible = () => page.locator('#clips tbody tr:not([hidden])').count();
    expect(await visible()).toBe(250);
    expect(await page.locator('#shown').textContent()).toBe('showing 250 of 2000 matching rows (2000 in the table)');
    await page.locator('#show-more').click();
    expect(await visible()).toBe(500);
    expect(await page.locator('#table .note').textContent()).toMatch(/first 2000 of 10000 clips.*clips\.parquet/);
    expect(await page.locator('[data-count="clips"] b').textContent()).toBe(String(BIG_ROWS));
    // Sorting 2000 rows stays interactive.
    const t0 = performance.now();
    await page.locator('#clips thead th button', { hasText: 'confidence' }).click();
    await page.locator('#clips thead th[aria-sort="descending"]').waitFor();
    const sortMs = performance.now() - t0;
    const timing = {
      clips: BIG_ROWS,
      table_rows: 2000,
      html_bytes: (await stat(html)).size,
      write_report_s: Number(reportWriteS.toFixed(2)),
      load_ms: Math.round(loadMs),
      dom_content_loaded_ms: Math.round(navMs.domContentLoaded),
      load_event_ms: Math.round(navMs.load),
      sort_click_ms: Math.round(sortMs),
      browser: browser.version(),
    };
    console.log(`10,000-clip report: ${JSON.stringify(timing)}`);
    await writeFile(join(SHOTS, 'timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
    await page.close();
  });
});
