// Process entry: the only place that reads process.argv and sets the exit code.

import { runCli } from './main.js';

// A reader that stops early (`audit scan --help | head -5`, `audit scan ... 2>&1 | head -1`) closes the pipe: what is
// left of the output or the progress has nowhere to go, which is no error. Without a listener the failed write would
// end the process with a stack trace; with it the command finishes (its outputs are written, a decide still releases
// its folder's lock) and exits with its own code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
