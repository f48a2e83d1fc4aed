import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runAgent } from '../src/agent/loop.js';
import { readLogTail } from '../src/background/job-log.js';
import { JobManager } from '../src/background/job-manager.js';
import { createAnthropicModel } from '../src/model/anthropic.js';
import { createBackgroundTools } from '../src/tools/background.js';
import { createBashTool } from '../src/tools/bash.js';
import type { AnyTool } from '../src/tools/tool.js';
import { Workspace } from '../src/workspace/workspace.js';
import {
  EMULATOR_API_KEY,
  startAnthropicEmulator,
  text,
  toolUse,
} from '../test/support/anthropic-emulator.js';
import { formatTable, info as row, round, type BenchRow } from './rows.js';

const FAN_OUT_JOBS = 3;
const MIN_SPEED_UP = 2.8;
const MAX_RSS_MB = 200;

/**
 * Fan-out through the real agent loop, bash tool, Anthropic adapter and the loopback Messages API:
 * the scripted model starts 3 × `sleep <sleepSeconds>` (default 2) in one turn, then ends its turn
 * (the loop waits for the jobs). The same script with run_in_background false runs them one after
 * another, in the same bench run. The speed-up is foreground wall time / background wall time.
 */
export async function benchJobFanOut(options: { sleepSeconds?: number } = {}): Promise<BenchRow[]> {
  const sleepS = options.sleepSeconds ?? 2;
  const foreground = await timeRun(false, sleepS);
  const background = await timeRun(true, sleepS);
  const speedUp = round(foreground / background, 2);
  return [
    row(
      `fan-out: ${FAN_OUT_JOBS} × sleep ${sleepS} in the foreground, one after another`,
      foreground,
      's',
      2,
    ),
    row(`fan-out: ${FAN_OUT_JOBS} × sleep ${sleepS} as background jobs, loop waits`, background, 's', 2),
    {
      name: 'fan-out: speed-up of background jobs',
      value: speedUp,
      unit: '×',
      target: MIN_SPEED_UP,
      bound: 'min',
      pass: speedUp >= MIN_SPEED_UP,
    },
  ];
}

/** Seconds from the start of a run to its end, tools run as background jobs or in the foreground. */
async function timeRun(inBackground: boolean, sleepS: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'taskpilot-bench-jobs-'));
  const api = await startAnthropicEmulator();
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  const jobs = new JobManager({ cwd: dir, env, logDir: dir, emit: () => undefined });
  try {
    const workspace = await Workspace.open(dir);
    const calls = Array.from({ length: FAN_OUT_JOBS }, () =>
      toolUse('bash', { command: `sleep ${sleepS}`, run_in_background: inBackground }),
    );
    api.script(calls).respond(() => text('Waiting for the jobs.'));
    const tools: AnyTool[] = [
      createBashTool({ workspace, env, background: jobs }),
      ...createBackgroundTools({ jobs }),
    ];
    const model = createAnthropicModel({
      apiKey: EMULATOR_API_KEY,
      baseURL: api.url,
      model: 'claude-sonnet-5-5',
      maxTokens: 1024,
    });
    const started = performance.now();
    const result = await runAgent({
      prompt: 'run the three sleeps',
      system: 'bench',
      model,
      tools,
      jobs,
      emit: () => undefined,
      budget: { maxTurns: 20 },
      costOf: () => ({ usd: 0, priced: true }),
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.reason !== 'done')
      throw new Error(`fan-out run ended ${result.reason}: ${result.error ?? ''}`);
    const ended = jobs.list().filter((j) => j.status === 'completed').length;
    if (ended !== (inBackground ? FAN_OUT_JOBS : 0)) throw new Error(`fan-out: ${ended} jobs completed`);
    return round(seconds, 2);
  } finally {
    await jobs.shutdown();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface MemoryReport {
  maxRssKb: number;
  logBytes: number;
  status: string;
  tailOk: boolean;
  seconds: number;
}

/**
 * Memory: a fresh node process runs a JobManager whose job prints 1 GiB (`yes | head -c 1G`),
 * waits for it, reads the log's tail, and reports its own peak RSS. A baseline process runs
 * `true` the same way, to show what the 1 GiB adds.
 */
export async function benchJobMemory(): Promise<BenchRow[]> {
  const baseline = await memoryChild('true');
  const big = await memoryChild('yes | head -c 1G');
  const rssMb = round(big.maxRssKb / 1024, 1);
  const ok = big.status === 'completed' && big.logBytes === 2 ** 30 && big.tailOk;
  return [
    row('memory: peak RSS, job printing nothing (baseline)', baseline.maxRssKb / 1024, 'MB'),
    {
      name: 'memory: peak RSS, job printing 1 GiB',
      value: rssMb,
      unit: 'MB',
      target: MAX_RSS_MB,
      bound: 'max',
      pass: rssMb < MAX_RSS_MB,
    },
    row('memory: time to run the 1 GiB job and read its tail', big.seconds, 's', 2),
    {
      name: 'memory: 1 GiB log complete, tail readable',
      value: ok ? 1 : 0,
      unit: 'ok',
      target: 1,
      bound: 'min',
      pass: ok,
    },
  ];
}

const CHILD_FLAG = '--job-memory-child';

async function memoryChild(command: string): Promise<MemoryReport> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...process.execArgv, self, CHILD_FLAG, command],
    {
      maxBuffer: 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as MemoryReport;
}

/** The child's side: run `command` as a job, read the tail the way the tools do, report. */
async function runMemoryChild(command: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'taskpilot-bench-mem-'));
  try {
    const jobs = new JobManager({
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      logDir: dir,
      emit: () => undefined,
    });
    const started = performance.now();
    jobs.start(command);
    const signal = new AbortController().signal;
    while (jobs.hasActive()) {
      await jobs.waitForNext(signal);
      jobs.takeNotifications();
    }
    const job = jobs.get('bg_1');
    if (!job) throw new Error('no job');
    const tail = readLogTail(job.logPath, { maxLines: 20, maxChars: 1500 });
    const seconds = (performance.now() - started) / 1000;
    const tailOk = command === 'true' || tail.text === Array.from({ length: 20 }, () => 'y').join('\n');
    const report: MemoryReport = {
      maxRssKb: process.resourceUsage().maxRSS,
      logBytes: job.logBytes,
      status: job.status,
      tailOk,
      seconds,
    };
    console.log(JSON.stringify(report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD_FLAG) {
  await runMemoryChild(process.argv[3] ?? 'true');
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = [...(await benchJobFanOut()), ...(await benchJobMemory())];
  console.log(
    formatTable(
      rows.map((r) => ({ ...r, group: 'jobs' })),
      false,
    ),
  );
  if (rows.some((r) => r.pass === false)) process.exitCode = 1;
}
