// The shipped model's file, card, parity file and Markdown card page agree: what a user reads is what they run.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDomainReference, IN_DOMAIN_THRESHOLD } from '../../src/model/domain.js';

const dir = fileURLToPath(new URL('../../models/', import.meta.url));

describe('shipped reversal-v1 card', () => {
  it('gives the sha256, size and version of the committed model everywhere it names them', async () => {
    const bytes = await readFile(`${dir}reversal-v1.onnx`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const card = JSON.parse(await readFile(`${dir}reversal-v1.card.json`, 'utf8'));
    const parity = JSON.parse(await readFile(`${dir}reversal-v1.parity.json`, 'utf8'));
    const page = await readFile(`${dir}reversal-v1.md`, 'utf8');
    const readme = await readFile(`${dir}README.md`, 'utf8');
    expect(card.sha256).toBe(sha);
    expect(parity.sha256).toBe(sha);
    expect(card.bytes).toBe((await stat(`${dir}reversal-v1.onnx`)).size);
    expect(page).toContain(sha);
    expect(page).toContain(card.bytes.toLocaleString('en-US'));
    // Every sha256 the page names is this one (a stale hash from an earlier model is the error this catches).
    for (const m of page.matchAll(/\b[0-9a-f]{64}\b/g)) expect(m[0]).toBe(sha);
    expect(page).toMatch(new RegExp(`\\*\\*Version\\*\\*: ${card.version.replace(/\./g, '\\.')}\\b`));
    expect(readme).toContain(`reversal-v1\` ${card.version}`);
  });

  it('records measured metrics for the held-out families and seeds, and the real-dev evaluation', async () => {
    const card = JSON.parse(await readFile(`${dir}reversal-v1.card.json`, 'utf8'));
    for (const split of ['heldout_families', 'heldout_seeds']) {
      expect(card.metrics[split].macro_f1, split).toBeGreaterThan(0);
      expect(card.metrics[split].n, split).toBeGreaterThan(100);
    }
    // real-dev was measured on this very model: its sha256 is recorded with the result, and the numbers are consistent
    const dev = card.metrics.real_dev;
    expect(dev.model.sha256).toBe(card.sha256);
    expect(dev.n).toBe(dev.confusion.flat().reduce((a: number, b: number) => a + b, 0));
    expect(dev.n).toBeGreaterThan(0);
    const correct = dev.confusion.reduce((s: number, row: number[], i: number) => s + row[i], 0);
    expect(dev.accuracy).toBeCloseTo(correct / dev.n, 9);
    expect(dev.macro_f1).toBeGreaterThan(0);
    expect(dev.macro_f1).toBeLessThanOrEqual(1);
  });

  it('carries a valid reference of its training footage for in_domain', async () => {
    const card = JSON.parse(await readFile(`${dir}reversal-v1.card.json`, 'utf8'));
    const ref = checkDomainReference(card.domain, 'reversal-v1.card.json');
    expect(ref.dims).toBe(128);
    expect(ref.calibration).toHaveLength(ref.calibration_clips);
    expect(ref.fit_clips).toBeGreaterThan(1000);
    expect(ref.threshold).toBe(IN_DOMAIN_THRESHOLD);
  });
});
