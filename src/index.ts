import path from 'node:path';

/**
 * One bundle serves the Action (main and post steps, see main.ts) and the CLI
 * (bin/taskpilot.js imports this file). Imports have no side effects; this decides what runs.
 */
const invokedAs = path.basename(process.argv[1] ?? '');
if (invokedAs === 'taskpilot' || invokedAs === 'taskpilot.js') {
  const { main } = await import(/* webpackMode: "eager" */ './cli.js');
  process.exitCode = await main(process.argv.slice(2));
} else {
  const { run } = await import(/* webpackMode: "eager" */ './main.js');
  await run();
}
