#!/usr/bin/env node
// `npm run lint:py`: Ruff over the Python of models/ (or the files given), with the settings of ruff.toml, run by
// Ruff's WebAssembly build (@astral-sh/ruff-wasm-nodejs: no Python or pip needed). Prints `file:line:column: CODE
// message` for each finding and exits 1 when there is any (2 when a file or the settings cannot be read).
// Usage: node scripts/lint-python.js [file.py ...]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = join(ROOT, 'ruff.toml');

/** @typedef {{ [key: string]: unknown }} TomlTable a table of settings: values, arrays and tables */

/**
 * The subset of TOML that ruff.toml is written in: `[table.sub]` headers, `key = value` lines with bare or dotted
 * keys, `#` comments, and values that are also JSON (double-quoted strings, numbers, true/false, arrays of them, which
 * may span lines and end with a comma). Anything else is an error naming the line, rather than a setting dropped.
 * @param {string} text
 * @param {string} where the file name, for errors
 * @returns {TomlTable}
 */
export function parseTomlSubset(text, where) {
  /** @type {TomlTable} */
  const root = {};
  let table = root;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripComment(lines[i] ?? '').trim();
    if (!line) continue;
    const header = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (header) {
      table = descend(root, (header[1] ?? '').split('.'), `${where}:${lineNo}`);
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(key))
      throw new Error(`${where}:${lineNo}: expected key = value or [table]`);
    let value = line.slice(eq + 1).trim();
    // an array may go on over the next lines until its brackets close
    while (depth(value) > 0 && i + 1 < lines.length) value += ` ${stripComment(lines[++i] ?? '').trim()}`;
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(value.replace(/,\s*]/g, ']'));
    } catch {
      throw new Error(`${where}:${lineNo}: ${key}: the value is not one this reader understands (${value})`);
    }
    const path = key.split('.');
    const last = path.pop() ?? key;
    const target = descend(table, path, `${where}:${lineNo}`);
    if (last in target) throw new Error(`${where}:${lineNo}: ${key} set twice`);
    target[last] = parsed;
  }
  return root;
}

/**
 * The line without its comment (a `#` outside double quotes).
 * @param {string} line
 */
function stripComment(line) {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

/**
 * How many brackets are open at the end of value (outside strings).
 * @param {string} value
 */
function depth(value) {
  let open = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === '[') open++;
    else if (!quoted && c === ']') open--;
  }
  return open;
}

/**
 * The table at path under table, made where missing.
 * @param {TomlTable} table
 * @param {string[]} path
 * @param {string} where
 * @returns {TomlTable}
 */
function descend(table, path, where) {
  let t = table;
  for (const name of path) {
    t[name] ??= {};
    const next = t[name];
    if (typeof next !== 'object' || next === null || Array.isArray(next))
      throw new Error(`${where}: ${name} is a value, not a table`);
    t = /** @type {TomlTable} */ (next);
  }
  return t;
}

/** The .py files of models/, sorted. */
function defaultFiles() {
  const dir = join(ROOT, 'models');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * One finding as Ruff's WebAssembly build reports it (the fields used here).
 * @typedef {{ code: string | null, message: string, start_location: { row: number, column: number } }} Finding
 */

/**
 * Lints files with the settings; returns the number of findings, each printed as file:line:column: CODE message.
 * @param {string[]} files
 * @param {TomlTable} settings
 */
function lint(files, settings) {
  const workspace = new Workspace(settings, PositionEncoding.Utf16);
  let findings = 0;
  for (const file of files) {
    /** @type {Finding[]} */
    const found = workspace.check(readFileSync(file, 'utf8'));
    found.sort(
      (a, b) => a.start_location.row - b.start_location.row || a.start_location.column - b.start_location.column,
    );
    for (const d of found) {
      console.log(
        `${relative(ROOT, file)}:${d.start_location.row}:${d.start_location.column}: ${d.code ?? 'syntax-error'} ${d.message}`,
      );
    }
    findings += found.length;
  }
  workspace.free();
  return findings;
}

function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: node scripts/lint-python.js [file.py ...]   (default: models/*.py; settings: ruff.toml)');
    return 0;
  }
  let settings;
  let files;
  try {
    settings = parseTomlSubset(readFileSync(CONFIG, 'utf8'), relative(ROOT, CONFIG));
    files = args.length ? args.map((f) => resolve(f)) : defaultFiles();
  } catch (err) {
    console.error(`lint-python: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  let findings;
  try {
    findings = lint(files, settings);
  } catch (err) {
    console.error(`lint-python: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const summary = `ruff ${Workspace.version()}: ${files.length} file(s), ${findings} finding(s)`;
  if (findings) console.error(summary);
  else console.log(summary);
  return findings ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
