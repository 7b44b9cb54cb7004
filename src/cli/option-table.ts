// The README's option tables, generated from the commands themselves: `--help` and the README read the same option
// texts, and a test (test/cli/options-doc.test.ts) fails when the README's tables are not what this prints.
// `npm run docs:options` rewrites them in place.

import type { Command, Option } from 'commander';

/** `--size <px>` -> `--size PX`, `-w, --workers <n>` -> `-w, --workers N`. */
export function displayFlags(o: Option): string {
  return o.flags.replace(/[<[]([^>\]]+)[>\]]/g, (_, name: string) => name.toUpperCase());
}

/** A default as the table shows it: required, none, off (a flag not given, --no-x flags included), on, or the value. */
export function displayDefault(o: Option): string {
  if (o.mandatory) return 'required';
  if (o.negate) return 'off'; // a --no-x flag is not given by default
  const v: unknown = o.defaultValue;
  if (v === undefined) {
    const m = /\(default: ([^)]+)\)$/.exec(o.description);
    return m ? m[1] : 'none';
  }
  if (v === false) return 'off';
  if (v === true) return 'on';
  return String(v);
}

/** A table cell: pipes escaped, `<` as an entity (Markdown would take <name> for an HTML tag). */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

/** The options of a command worth a row (not --help or --version). */
export function documentedOptions(cmd: Command): Option[] {
  return cmd.options.filter((o) => o.long !== '--help' && o.long !== '--version');
}

/**
 * The Markdown table of a command's options (all of them, or only the ones named in `only`, in that order):
 * option, default, meaning.
 */
export function optionTable(cmd: Command, only?: readonly string[]): string {
  let opts = documentedOptions(cmd);
  if (only?.length) {
    opts = only.map((name) => {
      const o = opts.find((x) => x.long === name || x.short === name);
      if (!o) throw new Error(`audit ${cmd.name()} has no option ${name}`);
      return o;
    });
  }
  const rows = opts.map((o) => {
    const text = o.description.replace(/\s*\(default: [^)]+\)$/, '');
    return `| \`${displayFlags(o)}\` | ${cell(displayDefault(o))} | ${cell(text)} |`;
  });
  return ['| option | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** `<!-- options: scan -->` or `<!-- options: scan --policy --taxonomy -->` ... `<!-- /options -->` blocks of a text. */
export const OPTION_BLOCK =
  /<!-- options: ([a-z]+)((?: [-a-zA-Z0-9]+)*) -->\r?\n(?:((?:(?!<!--)[\s\S])*?)\r?\n)?<!-- \/options -->/g;

/** The text with every option block regenerated from `program` (a block naming an unknown command throws). */
export function renderOptionBlocks(text: string, program: Command): string {
  return text.replace(OPTION_BLOCK, (_, name: string, only: string) => {
    const cmd = program.commands.find((c) => c.name() === name);
    if (!cmd) throw new Error(`README option block names an unknown command: ${name}`);
    const list = only.trim() ? only.trim().split(' ') : undefined;
    return `<!-- options: ${name}${only} -->\n${optionTable(cmd, list)}\n<!-- /options -->`;
  });
}
