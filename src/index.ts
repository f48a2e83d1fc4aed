import path from 'node:path';
import { main } from './cli.js';
import { run } from './main.js';

/**
 * One bundle serves the Action (main and post steps, see main.ts) and the CLI
 * (bin/taskpilot.js imports this file). Imports have no side effects; this decides what runs.
 */
const invokedAs = path.basename(process.argv[1] ?? '');
if (invokedAs === 'taskpilot' || invokedAs === 'taskpilot.js') {
  process.exitCode = await main(process.argv.slice(2));
} else {
  await run();
}
