import { parseCli, UsageError, USAGE, type CliOptions } from './cli-args.js';
import { terminalReporter } from './cli-reporter.js';
import { runEngine } from './engine.js';

/** The CLI entry: returns the process exit code. Reads the environment here, at the edge. */
export async function main(argv: readonly string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let opts: CliOptions | 'help';
  try {
    opts = await parseCli(argv, process.cwd());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`taskpilot: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    out(USAGE);
    return 0;
  }
  const apiKey = process.env['ANTHROPIC_API_KEY'];
  if (!apiKey) {
    process.stderr.write('taskpilot: ANTHROPIC_API_KEY is not set\n');
    return 2;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  try {
    const result = await runEngine({
      cwd: opts.cwd,
      prompt: opts.prompt,
      apiKey,
      baseURL: process.env['ANTHROPIC_BASE_URL'] || undefined,
      model: opts.model,
      fallbackModel: opts.fallbackModel,
      maxTokens: opts.maxTokens,
      budget: {
        maxTurns: opts.maxTurns,
        limitMinutes: opts.timeoutMinutes,
        maxCostUsd: opts.maxCostUsd,
        startedAt: started,
      },
      commandTimeoutSeconds: 120,
      backgroundTimeoutMinutes: 30,
      maxBackgroundJobs: 4,
      tasksDir: opts.tasksDir,
      memoryFile: opts.memoryFile,
      env: process.env,
      emit: terminalReporter(out),
      signal: controller.signal,
      onBug: (e) =>
        process.stderr.write(
          `taskpilot: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
        ),
    });
    return result.reason === 'done' ? 0 : 1;
  } catch (e) {
    process.stderr.write(`taskpilot: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
