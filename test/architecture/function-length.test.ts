// No function in src/ or scripts/ runs past MAX_LINES (from its first line to its last, nested callbacks included),
// so each one can be read at a sitting; the two hot loops below are kept whole on purpose, because splitting them
// costs speed (a call per pixel or per patch) or clarity (one numeric algorithm spread over helpers).

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAX_LINES = 80;

/** The exceptions, `file:function`: numeric kernels whose loops are one algorithm each. */
const HOT_LOOPS = new Set([
  'src/flow/camera.ts:fitCamera', // robust camera-motion fit: IRLS iterations over the flow samples
  'src/flow/dis-patch.ts:inverseSearch', // DIS inverse search: propagation and Gauss-Newton steps per patch
]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '<anonymous>';
}

/** Every function (declarations, methods, arrows, expressions) of a file with its length in lines. */
function functionLengths(file: string): { name: string; line: number; lines: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { name: string; line: number; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      out.push({ name: nameOf(node as ts.FunctionLikeDeclaration), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe('function length', () => {
  it(`no function in src/ or scripts/ is over ${MAX_LINES} lines, the named hot loops aside`, () => {
    const long: string[] = [];
    for (const file of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'scripts'))]) {
      const rel = relative(ROOT, file);
      for (const f of functionLengths(file)) {
        if (f.lines > MAX_LINES && !HOT_LOOPS.has(`${rel}:${f.name}`))
          long.push(`${rel}:${f.line} ${f.name} (${f.lines} lines)`);
      }
    }
    expect(long).toEqual([]);
  });

  it('measures what it claims: a 100-line function is found, a 10-line one is not', () => {
    const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
    const found = functionLengths(join(dir, 'long-function.ts'));
    expect(found.find((f) => f.name === 'long')?.lines).toBe(100);
    expect(found.find((f) => f.name === 'short')?.lines).toBe(10);
  });

  it('every exception still names a function that exists and is long', () => {
    for (const key of HOT_LOOPS) {
      const [file, name] = key.split(':') as [string, string];
      const f = functionLengths(join(ROOT, file)).find((x) => x.name === name);
      expect(f?.lines, key).toBeGreaterThan(MAX_LINES);
    }
  });
});
