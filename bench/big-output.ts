import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastToolResults, lastUserText, text, toolUse } from '../test/support/anthropic-emulator.js';
import { describeRun, startActionEnv } from './action-env.js';
import { check, info, type BenchRow } from './rows.js';

export interface BigOutputOptions {
  /** Bytes the job prints. Default 1 GiB. */
  bytes?: number;
  /** Also measure a job that prints nothing, for the baseline. Default true. */
  baseline?: boolean;
}

const MAX_RSS_MB = 200;

/**
 * Reports the process's peak RSS (getrusage ru_maxrss, KB) into BENCH_RSS_FILE when it exits:
 * loaded into the action with NODE_OPTIONS=--require, it sees the whole process life.
 */
const PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

interface Outcome {
  rssMb: number;
  seconds: number;
  tailOk: boolean;
}

/**
 * Big output, measured on the action process itself: the built dist/index.js for a comment
 * trigger, the model starting `yes | head -c <bytes>` as a background job and ending its turn,
 * the loop waiting for the job, the model reading the log's tail with job_output, then
 * finishing. The peak RSS is the action's node process's own (the job runs in its own process
 * group and is not counted).
 */
export async function benchBigOutput(options: BigOutputOptions = {}): Promise<BenchRow[]> {
  const bytes = options.bytes ?? 2 ** 30;
  const size = bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
  const base = options.baseline === false ? undefined : await oneRun('true', 0);
  const big = await oneRun(`yes | head -c ${bytes}`, bytes);
  return [
    check(`peak RSS of the action process, a job printing ${size}`, big.rssMb, 'MB', MAX_RSS_MB),
    ...(base ? [info('  baseline: the same run, the job printing nothing', base.rssMb, 'MB')] : []),
    info('  run time (spawn → exit)', big.seconds, 's', 2),
    check(`  the log holds all ${size}, the model got its last lines`, big.tailOk ? 1 : 0, 'ok', 1, {
      bound: 'min',
      digits: 0,
      invariant: true,
    }),
  ];
}

/** Size of the largest file under `dir`. */
function largestFile(dir: string): number {
  let largest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) largest = Math.max(largest, statSync(path.join(entry.parentPath, entry.name)).size);
  }
  return largest;
}

async function oneRun(command: string, bytes: number): Promise<Outcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskpilot-bench-rss-'));
  const env = await startActionEnv();
  try {
    const preload = path.join(dir, 'rss.cjs');
    const report = path.join(dir, 'rss');
    writeFileSync(preload, PRELOAD);
    let tail = '';
    let notified = '';
    env.api.script([toolUse('bash', { command, run_in_background: true })], text('Waiting for the job.'));
    env.api.respond((req) => {
      const result = lastToolResults(req.body)[0];
      if (result === undefined) {
        notified = lastUserText(req.body);
        return [toolUse('job_output', { id: 'bg_1', tail: 5 })];
      }
      tail = JSON.stringify(result.content);
      return text('The job finished; its output is all "y".');
    });
    const started = performance.now();
    const run = await env.run({
      env: { NODE_OPTIONS: `--require ${preload}`, BENCH_RSS_FILE: report },
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0 || run.outputs['conclusion'] !== 'success')
      throw new Error(`big output: the action failed: ${describeRun(run)}`);
    const maxRssKb = Number(readFileSync(report, 'utf8'));
    const completed = notified.includes('<status>completed</status>');
    // The job's log (under RUNNER_TEMP) holds every byte, and the model saw its last lines.
    const logged = largestFile(run.env['RUNNER_TEMP'] ?? dir);
    const tailOk = completed && (bytes === 0 || (logged === bytes && /y\\ny\\ny/.test(tail)));
    return { rssMb: maxRssKb / 1024, seconds, tailOk };
  } finally {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
