// Process entry: the only place that reads process.argv and sets the exit code.

import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
