// The report page without a browser: escaping, chart arithmetic and SVG, and the rendered page's safety.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addToHistogram,
  barChartSvg,
  binIndex,
  emptyHistogram,
  formatNumber,
  histogram,
  histogramSvg,
  niceTicks,
  quantile,
  robustRange,
} from '../../src/report/charts.js';
import { escapeHtml, jsonForScript, safeImageSrc, trustedSvg } from '../../src/report/escape.js';
import { contentSecurityPolicy, renderReport } from '../../src/report/html.js';
import { PAGE_SCRIPT } from '../../src/report/page-script.js';
import type { ReportData } from '../../src/report/types.js';

const HOSTILE = `<script>alert(1)</script>" onerror=alert(2) x="'><img src=x onerror=alert(3)>`;

describe('escapeHtml', () => {
  it('leaves no character that can open a tag or end a quoted attribute', () => {
    const out = escapeHtml(HOSTILE);
    expect(out).not.toMatch(/[<>"'`=]/);
    expect(out).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;&quot; onerror&#61;alert(2) x&#61;&quot;&#39;&gt;&lt;img src&#61;x onerror&#61;alert(3)&gt;',
    );
  });
  it('escapes & first so entities in data stay text, converts non-strings and drops control characters', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(3.5)).toBe('3.5');
    expect(escapeHtml('a\u0000b\u0007c\td\ne')).toBe('abc\td\ne');
  });
});

describe('jsonForScript', () => {
  it('cannot close the script element and parses back to the same value', () => {
    const value = {
      caption: '</script><script>alert(1)</script><!--',
      line: 'a\u2028b\u2029c',
      amp: 'x & y',
      n: [1, 2.5, null],
    };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('safeImageSrc and trustedSvg', () => {
  it('accepts relative picture paths and data images only', () => {
    expect(safeImageSrc('report/sheet-0123456789abcdef.jpg')).toBe('report/sheet-0123456789abcdef.jpg');
    expect(safeImageSrc('data:image/png;base64,iVBORw0KGgo=')).not.toBeNull();
    for (const bad of [
      'javascript:alert(1)',
      'http://example.com/a.jpg',
      '//example.com/a.jpg',
      '../secret.jpg',
      'report/../../x.jpg',
      '/etc/passwd',
      'a" onerror="x',
      'data:text/html;base64,PHNjcmlwdD4=',
    ]) {
      expect(safeImageSrc(bad), bad).toBeNull();
    }
  });
  it('rejects SVG with script, handlers, links or external references', () => {
    expect(
      trustedSvg('<svg width="10" height="10"><rect width="1" height="1" clip-path="url(#c)"/></svg>'),
    ).not.toBeNull();
    for (const bad of [
      '<svg onload="alert(1)"></svg>',
      '<svg><script>alert(1)</script></svg>',
      '<svg><a href="http://x">x</a></svg>',
      '<svg><image href="http://x/a.png"/></svg>',
      '<svg><rect style="fill:url(http://x)"/></svg>',
      '<div></div>',
      '<svg><foreignObject></foreignObject></svg>',
    ]) {
      expect(trustedSvg(bad), bad).toBeNull();
    }
  });
});

describe('chart arithmetic', () => {
  it('puts values in equal bins, the maximum in the last bin, and counts the outside apart', () => {
    expect(binIndex(0, 0, 1, 4)).toBe(0);
    expect(binIndex(0.2499, 0, 1, 4)).toBe(0);
    expect(binIndex(0.25, 0, 1, 4)).toBe(1);
    expect(binIndex(1, 0, 1, 4)).toBe(3);
    expect(binIndex(-0.1, 0, 1, 4)).toBe(-1);
    expect(binIndex(1.1, 0, 1, 4)).toBe(4);
    expect(binIndex(Number.NaN, 0, 1, 4)).toBeNull();
    const h = histogram([0, 0.1, 0.3, 0.6, 0.99, 1, 2, -1, Number.NaN], 0, 1, 4);
    expect(h.counts).toEqual([2, 1, 1, 2]);
    expect([h.below, h.above]).toEqual([1, 1]);
    const g = emptyHistogram(-2, 2, 2);
    addToHistogram(g, -1);
    addToHistogram(g, 1.5);
    expect(g.counts).toEqual([1, 1]);
    expect(() => emptyHistogram(1, 1, 3)).toThrow(/min < max/);
    expect(() => emptyHistogram(0, 1, 0)).toThrow(/positive integer/);
  });
  it('computes quantiles and a robust range that ignores outliers but not small samples', () => {
    expect(quantile([3, 1, 2, Number.NaN], 0.5)).toBe(2);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
    const many = Array.from({ length: 1000 }, (_, i) => i / 999);
    many[0] = -1000;
    many[999] = 1000;
    const r = robustRange(many)!;
    expect(r.min).toBeGreaterThan(0);
    expect(r.max).toBeLessThan(1);
    expect(robustRange([5, -3, 1])).toEqual({ min: -3, max: 5 });
    expect(robustRange([2, 2, 2])).toEqual({ min: 1.8, max: 2.2 });
    expect(robustRange([0])).toEqual({ min: -0.5, max: 0.5 });
    expect(robustRange([Number.NaN])).toBeNull();
  });
  it('picks round ticks and short number labels', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.03, 0.07, 4)).toEqual([-0.02, 0, 0.02, 0.04, 0.06]);
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(1, 1)).toEqual([]);
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(123456)).toBe('1.2e+5');
    expect(formatNumber(0)).toBe('0');
  });
});

describe('chart SVG', () => {
  it('draws bars proportional to their values with escaped labels', () => {
    const svg = barChartSvg(
      [
        { label: 'a<b>', value: 10 },
        { label: 'c', value: 5 },
        { label: 'd', value: 0 },
      ],
      { title: 'T"itle', width: 400 },
    );
    const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    expect(widths[1] / widths[0]).toBeCloseTo(0.5, 2);
    expect(widths[2]).toBe(0);
    expect(svg).toContain('a&lt;b&gt;');
    expect(svg).not.toContain('a<b>');
    expect(svg).toContain('10 (66.7 %)');
    expect(svg).toMatch(/^<svg [^>]*width="400" height="\d+"/);
  });
  it('stacks histogram layers so each bin is as tall as its total', () => {
    const svg = histogramSvg(
      {
        min: 0,
        max: 1,
        layers: [
          { name: 'x', counts: [1, 0, 3] },
          { name: 'y', counts: [1, 2, 0] },
        ],
      },
      { title: 'h', width: 300, height: 200 },
    );
    const heights = [...svg.matchAll(/class="hbar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(4); // zero counts draw nothing
    // Tallest bin (3) spans the plot; bin 0 (1 + 1) is two thirds of it, bin 1 (2) too.
    const full = heights[3];
    expect(heights[0] + heights[1]).toBeCloseTo((2 / 3) * full, 0);
    expect(heights[2]).toBeCloseTo((2 / 3) * full, 0);
    expect(svg).toContain('>x<');
  });
});

function hostileData(): ReportData {
  return {
    title: `Report ${HOSTILE}`,
    generatedAt: '2026-01-01T00:00:00Z',
    tool: { name: 'reversal-audit', version: '0.1.0' },
    run: {
      input: `/data/${HOSTILE}.csv`,
      inputKind: 'csv',
      outDir: '/tmp/out',
      status: 'complete',
      startedAt: null,
      finishedAt: null,
      settings: { fps: 24, note: HOSTILE },
    },
    models: [`m${HOSTILE}`],
    counts: { clips: 2, errors: 1, inputRows: 3, reversedInCorpus: 1 },
    verdicts: { irreversible: 1, [HOSTILE]: 1 },
    decisions: { exclude: 2 },
    decisionFacts: { policy: HOSTILE },
    errors: { total: 1, byCode: { [HOSTILE]: 1 }, rows: [{ code: HOSTILE, message: HOSTILE, path: HOSTILE, row: 3 }] },
    pForward: {
      name: 'p_forward',
      min: 0,
      max: 1,
      layers: [{ name: HOSTILE, counts: [1, 1] }],
      outside: 0,
      sampled: 2,
      total: 2,
    },
    cues: [],
    classes: { columns: ['label', HOSTILE, 'inconsistent'], rows: [[HOSTILE, 1, true]], source: HOSTILE },
    galleries: [
      {
        key: HOSTILE,
        title: HOSTILE,
        note: HOSTILE,
        omitted: 0,
        items: [
          {
            id: HOSTILE,
            path: HOSTILE,
            label: HOSTILE,
            caption: HOSTILE,
            verdict: HOSTILE,
            reason: HOSTILE,
            image: { src: `javascript:alert(1)`, width: 10, height: 10 },
            curvesSvg: '<svg onload="alert(1)"></svg>',
          },
        ],
      },
    ],
    table: {
      columns: [
        { key: 'id', title: HOSTILE, numeric: false },
        { key: 'p', title: 'p', numeric: true },
      ],
      rows: [{ cells: [HOSTILE, 0.5], verdict: HOSTILE, decision: HOSTILE, label: HOSTILE }],
      total: 5,
      fullFile: HOSTILE,
    },
    physics: {
      total: 1,
      videos: [
        {
          videopath: HOSTILE,
          caption: HOSTILE,
          model: HOSTILE,
          checks: [{ name: HOSTILE, rule: HOSTILE, score: 0, evidence: HOSTILE }],
        },
      ],
      leaderboard: { columns: [HOSTILE], rows: [[HOSTILE]] },
    },
    notes: [HOSTILE],
  };
}

describe('renderReport', () => {
  it('escapes every string from the data: no injected tag, handler or URL survives', () => {
    const page = renderReport(hostileData());
    expect(page.match(/<script\b/g)).toHaveLength(2); // the JSON block and the page script
    // The JSON block holds the strings as JSON text (checked above not to be able to end the block); the rest is markup.
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page)![1];
    expect(json).not.toMatch(/[<>]/);
    const html = page.replace(json, '');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/\sonerror\s*=/i);
    expect(html).not.toMatch(/\sonload\s*=/i);
    expect(html).not.toContain('javascript:');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot; onerror&#61;alert(2)');
  });
  it('forbids the network in its CSP and allows its own script by hash', () => {
    const html = renderReport(hostileData());
    const hash = createHash('sha256').update(PAGE_SCRIPT).digest('base64');
    expect(contentSecurityPolicy(PAGE_SCRIPT)).toContain(`script-src 'sha256-${hash}'`);
    expect(contentSecurityPolicy(PAGE_SCRIPT)).toMatch(/^default-src 'none';/);
    expect(html).toContain(`<script>${PAGE_SCRIPT}</script>`);
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1];
    expect(JSON.parse(json).title).toBe(`Report ${HOSTILE}`);
  });
  it('says where the full table is when rows were left out, and drops unsafe pictures', () => {
    const html = renderReport(hostileData());
    expect(html).toMatch(/Showing the first 1 of 5 clips/);
    expect(html).not.toContain('<img class="sheet"');
    expect(html).not.toContain('<div class="curves">');
  });
  it('is pure: the same data renders the same page', () => {
    expect(renderReport(hostileData())).toBe(renderReport(hostileData()));
  });
});
