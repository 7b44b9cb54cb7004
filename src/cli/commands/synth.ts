// audit synth: render a synthetic physics corpus with ground-truth verdicts.

import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { SYNTH_HELP } from '../help.js';
import { int } from '../shared-options.js';

interface SynthFlags {
  out: string;
  count: number;
  seed: number;
  families?: string;
  twins: boolean;
  backgrounds?: string;
  handheld: boolean;
  quiet: boolean;
}

/** --seed: an integer from 0 to 2^32 - 1 (0 is a seed like any other; seeds are mixed in as 32 bits). */
function seed(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n >= 2 ** 32)
    throw new InvalidArgumentError(
      `Expected an integer from 0 to 4294967295 for --seed but received ${JSON.stringify(v)}`,
    );
  return n;
}

export function synthCommand(program: Command): void {
  program
    .command('synth')
    .description('Render a synthetic physics corpus with ground-truth verdicts (for training and tests).')
    .requiredOption(
      '-o, --out <dir>',
      'output folder (resumes: clips already listed in labels.jsonl are skipped; a resume with another look, --handheld say, is refused)',
    )
    .option('-n, --count <n>', 'number of clips (each also gets its reversed twin)', int('--count'), 100)
    .option('--seed <n>', 'random seed; the same seed renders the same clips', seed, 1)
    .option('--families <names>', 'comma-separated scene families (default: all; unknown names list the known ones)')
    .option('--no-twins', 'do not write the reversed twin of each clip')
    .option('--backgrounds <dir>', 'folder of real clips whose frames become backgrounds (never evaluation data)')
    .option(
      '--handheld',
      'handheld-camera look for every clip: sway, strong shake, exposure breathing, background things oscillating',
      false,
    )
    .option('-q, --quiet', 'no progress output', false)
    .addHelpText('after', SYNTH_HELP)
    .action(runSynth);
}

async function runSynth(flags: SynthFlags): Promise<void> {
  // Loaded here so that other commands do not pay for the physics engine and canvas at start-up.
  const { FAMILIES } = await import('../../synth/corpus/index.js');
  const { synthCorpus } = await import('../../synth/corpus/generate.js');
  const families = flags.families
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = families?.filter((f) => !FAMILIES.some((x) => x.name === f)) ?? [];
  if (unknown.length)
    throw new UsageError(
      `Unknown scene famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; known: ${FAMILIES.map((f) => f.name).join(', ')}`,
    );
  const t0 = performance.now();
  const r = await synthCorpus({
    out: flags.out,
    count: flags.count,
    seed: flags.seed,
    families,
    reversedTwins: flags.twins,
    backgroundsDir: flags.backgrounds,
    handheld: flags.handheld,
    onClip: flags.quiet ? undefined : (done, count, id) => process.stderr.write(`\r\x1b[K${done}/${count} ${id}`),
  });
  if (!flags.quiet)
    process.stderr.write(
      `\nwrote ${r.clips} files (${r.skipped} already there) in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${flags.out}/manifest.csv\n`,
    );
}
