// The `audit` command line: argv -> typed options -> library call -> exit code. Each command (its options, help
// text and action) is in commands/; this file sets up the program, lists the commands and turns errors into exit
// codes.

import { Command, CommanderError } from 'commander';
import { AuditError, UsageError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import type { ActionResult } from './action-result.js';
import { adaptCommand } from './commands/adapt.js';
import { cuesCommand } from './commands/cues.js';
import { decideCommand } from './commands/decide.js';
import { evalCommand } from './commands/eval.js';
import { inspectCommand } from './commands/inspect.js';
import { mergeCommand } from './commands/merge.js';
import { physicsCommand } from './commands/physics.js';
import { reportCommand } from './commands/report.js';
import { scanCommand } from './commands/scan.js';
import { synthCommand } from './commands/synth.js';
import { taxonomyCommand } from './commands/taxonomy.js';
import { EXIT } from './exit-codes.js';
import { commandError, lockCommandFolder } from './folder-lock.js';
import { TOP_HELP } from './help.js';

export type { ActionResult } from './action-result.js';

/** The commands in the order `audit --help` lists them; each adds itself (options, help, action) to the program. */
const COMMANDS: readonly ((program: Command, result: ActionResult) => void)[] = [
  scanCommand,
  mergeCommand,
  synthCommand,
  evalCommand,
  reportCommand,
  inspectCommand,
  taxonomyCommand,
  decideCommand,
  adaptCommand,
  physicsCommand,
  cuesCommand,
];

/**
 * The `audit` program: every command with its options, help texts and action (actions set `result.code`). The one
 * source of the option texts: `--help` prints them and the README's option tables are generated from them
 * ({@link optionTable}).
 */
export function buildProgram(result: ActionResult = { code: EXIT.OK }): Command {
  const program = new Command('audit')
    .description('Audit video training corpora for time reversal.')
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', TOP_HELP);
  // decide and report lock the folder they rewrite (scan, physics and merge lock theirs in the library).
  program.hook('preAction', async (_program, action) => {
    result.folderLock = await lockCommandFolder(action);
  });
  for (const add of COMMANDS) add(program, result);
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. Never calls process.exit. */
export async function runCli(argv: string[]): Promise<number> {
  const result: ActionResult = { code: EXIT.OK };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (caught) {
    const err = commandError(caught, result.folderLock);
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (err instanceof UsageError) {
      process.stderr.write(`audit: ${err.message}\n`);
      return EXIT.USAGE;
    }
    const msg =
      err instanceof AuditError
        ? err.message
        : err instanceof Error
          ? process.env.AUDIT_DEBUG
            ? (err.stack ?? err.message)
            : err.message
          : String(err);
    process.stderr.write(`audit: ${msg}\n`);
    if (process.env.AUDIT_DEBUG && err instanceof AuditError && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.FAILURE;
  } finally {
    await result.folderLock?.release();
  }
}
