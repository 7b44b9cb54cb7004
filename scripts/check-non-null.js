// `npm run lint` (part of it): every `!` non-null assertion in src/, test/ and scripts/ must assert something. The
// project compiles without noUncheckedIndexedAccess (docs/design.md, "Code conventions"), so `a[i]` is already typed
// as present and `a[i]!` says nothing; such a `!` hides the ones that matter (a Map lookup, an optional field whose
// presence an invariant guarantees). This finds each `!` whose operand's type cannot be null or undefined.
//
// Usage: node scripts/check-non-null.js [--write]
// Exit 0 when there is none; 1 listing them as file:line:column (or, with --write, after removing them); 2 when the
// TypeScript project cannot be read.
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const write = process.argv.includes('--write');

const config = ts.getParsedCommandLineOfConfigFile(
  resolve(ROOT, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      process.stderr.write(`check-non-null: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`);
      process.exit(2);
    },
  },
);
if (!config) process.exit(2);
const program = ts.createProgram(config.fileNames, config.options);
const checker = program.getTypeChecker();

/** Flags of the types a `!` may meaningfully narrow (or cannot be judged: any, unknown, generics). */
const MAYBE_MISSING =
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void |
  ts.TypeFlags.Unknown |
  ts.TypeFlags.Any |
  ts.TypeFlags.TypeParameter |
  ts.TypeFlags.IndexedAccess |
  ts.TypeFlags.Conditional |
  ts.TypeFlags.Substitution;

/** @param {ts.Type} type */
function mayBeMissing(type) {
  if (type.flags & MAYBE_MISSING) return true;
  return type.isUnion() && type.types.some(mayBeMissing);
}

let found = 0;
for (const source of program.getSourceFiles()) {
  if (source.isDeclarationFile || !source.fileName.startsWith(`${ROOT}/`) || source.fileName.includes('/node_modules/'))
    continue;
  /** @type {number[]} positions of the redundant `!` characters */
  const bangs = [];
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isNonNullExpression(node) && !mayBeMissing(checker.getTypeAtLocation(node.expression)))
      bangs.push(node.end - 1);
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (bangs.length === 0) continue;
  found += bangs.length;
  const name = relative(ROOT, source.fileName);
  if (write) {
    let text = source.text;
    for (const at of bangs.sort((a, b) => b - a)) text = text.slice(0, at) + text.slice(at + 1);
    writeFileSync(source.fileName, text);
    process.stdout.write(`${name}: removed ${bangs.length}\n`);
  } else {
    for (const at of bangs) {
      const { line, character } = source.getLineAndCharacterOfPosition(at);
      process.stdout.write(
        `${name}:${line + 1}:${character + 1}: this \`!\` asserts nothing (the type cannot be null or undefined)\n`,
      );
    }
  }
}
if (found > 0 && !write)
  process.stdout.write(`${found} redundant non-null assertions; node scripts/check-non-null.js --write removes them\n`);
process.exit(found > 0 ? 1 : 0);
