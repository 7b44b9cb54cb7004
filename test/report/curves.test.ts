// Cue curves SVG: well-formed, self-contained, escaped, one polyline point per frame pair, honest axes.

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { CURVE_PANELS, cueCurvesSvg, type NamedSeries } from '../../src/report/curves.js';

/** A series of T pairs over the given columns; column c at pair t holds f(c, t). */
function series(T: number, columns: string[], f: (c: string, t: number) => number): NamedSeries {
  const data = new Float32Array(T * columns.length);
  for (let t = 0; t < T; t++)
    columns.forEach((c, k) => {
      data[t * columns.length + k] = f(c, t);
    });
  return { frames: T, columns, data };
}

const COLUMNS = ['energy_total', 'energy_residual', 'res_vx', 'res_vy', 'res_ay', 'res_div'];
// A falling thing: energy grows, velocity goes from -0.5 (up) to +0.5 (down), acceleration constant +3.
const fall = series(48, COLUMNS, (c, t) =>
  c === 'energy_residual'
    ? 0.01 * t
    : c === 'res_vy'
      ? -0.5 + t / 47
      : c === 'res_ay'
        ? 3
        : c === 'res_div'
          ? Math.sin(t / 5)
          : 7,
);

function polylines(svg: string): Array<Array<[number, number]>> {
  return [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) =>
    m[1].split(' ').map((p) => p.split(',').map(Number) as [number, number]),
  );
}

describe('cueCurvesSvg', () => {
  it('is one self-contained SVG document that sharp (librsvg, a strict XML parser) renders at its size', async () => {
    const svg = cueCurvesSvg(fall, { width: 600, height: 400, fps: 24 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/href|url\(|<image|<script|@import/);
    const meta = await sharp(Buffer.from(svg)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['svg', 600, 400]);
    const { data, info } = await sharp(Buffer.from(svg))
      .flatten({ background: '#fff' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    // Not blank: some pixels are well away from white (curves, text).
    let dark = 0;
    for (let i = 0; i < data.length; i += info.channels) dark += data[i] < 128 ? 1 : 0;
    expect(dark).toBeGreaterThan(500);
  });

  it('draws one polyline per panel with one point per frame pair, time increasing', () => {
    const svg = cueCurvesSvg(fall, { fps: 24 });
    const lines = polylines(svg);
    expect(lines).toHaveLength(CURVE_PANELS.length);
    for (const pts of lines) {
      expect(pts).toHaveLength(48);
      for (let i = 1; i < pts.length; i++) expect(pts[i][0]).toBeGreaterThan(pts[i - 1][0]);
    }
    expect(CURVE_PANELS.map((p) => p.column)).toEqual(['energy_residual', 'res_vy', 'res_ay', 'res_div']);
    for (const p of CURVE_PANELS) expect(svg).toContain(`data-column="${p.column}"`);
  });

  it('puts values where their axis says: zero line, rising velocity, constant acceleration, time ticks in seconds', () => {
    const svg = cueCurvesSvg(fall, { fps: 24 });
    const zeros = [...svg.matchAll(/class="zero" x1="[^"]*" y1="([^"]*)"/g)].map((m) => Number(m[1]));
    expect(zeros).toHaveLength(4);
    const [energy, vy, ay] = polylines(svg);
    // Energy starts at 0: on its zero line. Velocity crosses zero mid-clip, going down the page as it grows (SVG y down).
    expect(energy[0][1]).toBeCloseTo(zeros[0], 0);
    expect(vy[0][1]).toBeGreaterThan(zeros[1]);
    expect(vy[47][1]).toBeLessThan(zeros[1]);
    // Constant +3: a flat line above zero, at the top of its symmetric range.
    expect(new Set(ay.map((p) => p[1])).size).toBe(1);
    expect(ay[0][1]).toBeLessThan(zeros[2]);
    expect(svg).toContain('>3<');
    expect(svg).toContain('>-3<');
    // 48 pairs at 24 fps = 2 s: ticks 0 .. 2 s; the label says what the axis is.
    expect(svg).toMatch(/>0<\/text>[\s\S]*>1<\/text>[\s\S]*>2<\/text>/);
    expect(svg).toContain('time in the analysed window (s)');
    // The same series at 12 fps spans 4 s.
    expect(cueCurvesSvg(fall, { fps: 12 })).toMatch(/>4<\/text>/);
    // With the window start, the axis shows clip time.
    expect(cueCurvesSvg(fall, { fps: 24, startS: 100 })).toMatch(/>101<\/text>[\s\S]*time in the clip \(s\)/);
  });

  it('escapes every text it draws', () => {
    const svg = cueCurvesSvg(fall, { title: `clip <a href="x">&'s</a>` });
    expect(svg).toContain('clip &lt;a href=&quot;x&quot;&gt;&amp;&#39;s&lt;/a&gt;');
    expect(svg).not.toContain('<a href');
    // Units with non-ASCII characters survive as text.
    expect(svg).toContain('short sides/s²');
  });

  it('says so when a column is missing or there are no pairs, and rejects inconsistent input', () => {
    const partial = series(10, ['energy_residual', 'res_vy'], () => 0.2);
    const svg = cueCurvesSvg(partial);
    expect(polylines(svg)).toHaveLength(2);
    expect(svg).toContain('this series has no res_ay column');
    expect(svg).toContain('this series has no res_div column');
    const empty = cueCurvesSvg({ frames: 0, columns: COLUMNS, data: new Float32Array(0) });
    expect(polylines(empty)).toHaveLength(0);
    expect(empty).toContain('no frame pairs to draw');
    expect(() => cueCurvesSvg({ frames: 3, columns: COLUMNS, data: new Float32Array(5) })).toThrow(
      /18 values for series data but received "5 values"/,
    );
    expect(() => cueCurvesSvg(fall, { fps: 0 })).toThrow(UsageError);
    expect(() => cueCurvesSvg(fall, { width: 50 })).toThrow(/width/);
    // Non-finite samples are drawn at 0 rather than breaking the path.
    const nan = series(4, ['res_vy'], (_, t) => (t === 2 ? Number.NaN : 1));
    expect(cueCurvesSvg(nan)).not.toContain('NaN');
  });
});
