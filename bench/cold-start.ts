import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { text } from '../test/support/anthropic-emulator.js';
import { describeRun, startActionEnv } from './action-env.js';
import { startHttpTimeline } from './http-timeline.js';
import { check, info, median, type BenchRow } from './rows.js';

export interface ColdStartOptions {
  /** Timed runs; the row is their median. Default 10. */
  runs?: number;
}

const TARGET_MS = 300;

interface Sample {
  /** Spawn → first request the model emulator receives. */
  firstModel: number;
  /** Spawn → first GitHub request. */
  firstGitHub: number;
  /** GitHub requests before the first model request. */
  githubBefore: number;
  /** Time inside the GitHub emulator before the first model request (its responses). */
  githubServed: number;
  /** CPU time (user + system) of the action and the children it waited for (git), at the first model request. */
  cpu: number;
  /** Spawn → exit of this one-turn run. */
  exit: number;
}

/**
 * Cold start: `node dist/index.js` for an issue_comment trigger against the emulators, from
 * just before the spawn to the first request the model emulator receives (the median of
 * `runs`). Each run gets fresh emulators and a fresh checkout, so it does the whole setup: read
 * the config and event, check the sender's permission, create the progress comment, look for an
 * earlier run's state, prepare the work branch, read the thread and assemble the prompt.
 * The breakdown rows say where the time goes; `node -e 0` is the floor no bundle can beat.
 */
export async function benchColdStart(options: ColdStartOptions = {}): Promise<BenchRow[]> {
  const runs = options.runs ?? 10;
  const samples: Sample[] = [];
  const floor: number[] = [];
  const timeline = startHttpTimeline();
  try {
    // Interleaved, so that both see the same machine.
    for (let i = 0; i < runs; i++) {
      samples.push(await oneRun(timeline));
      floor.push(await nodeFloor());
    }
  } finally {
    timeline.dispose();
  }
  const med = (pick: (s: Sample) => number) => median(samples.map(pick));
  const values = samples.map((s) => s.firstModel);
  return [
    check(
      `spawn → first model request (median of ${runs})`,
      med((s) => s.firstModel),
      'ms',
      TARGET_MS,
      { digits: 0 },
    ),
    info('  fastest run', Math.min(...values), 'ms', 0),
    info('  slowest run', Math.max(...values), 'ms', 0),
    info('  node -e 0: spawn → exit (the floor)', median(floor), 'ms', 0),
    info(
      '  spawn → first GitHub request (bundle load, config, trigger)',
      med((s) => s.firstGitHub),
      'ms',
      0,
    ),
    info(
      '  first GitHub request → first model request',
      med((s) => s.firstModel - s.firstGitHub),
      'ms',
      0,
    ),
    info(
      '    of which inside the GitHub emulator',
      med((s) => s.githubServed),
      'ms',
      0,
    ),
    info(
      '    GitHub requests before the first model call',
      med((s) => s.githubBefore),
      'requests',
      0,
    ),
    info(
      '  CPU time of the action and its git commands by then',
      med((s) => s.cpu),
      'ms',
      0,
    ),
    info(
      '  spawn → exit of this one-turn run',
      med((s) => s.exit),
      'ms',
      0,
    ),
  ];
}

async function oneRun(timeline: ReturnType<typeof startHttpTimeline>): Promise<Sample> {
  const env = await startActionEnv();
  try {
    let pid = 0;
    let cpu = Number.NaN;
    env.api.respond(() => {
      if (Number.isNaN(cpu)) cpu = cpuMs(pid);
      return text('Nothing to change: the README is spelled correctly.');
    });
    timeline.clear();
    const run = await env.run({ onSpawn: (child) => (pid = child.pid ?? 0) });
    // From the spawn itself: writing the event file and the runner's files comes before it.
    const { spawnedAt } = run;
    const exit = performance.now() - spawnedAt;
    if (run.code !== 0 || run.outputs['conclusion'] !== 'success')
      throw new Error(`cold start: the action failed: ${describeRun(run)}`);
    const model = timeline.spans(env.api.url)[0];
    if (!model) throw new Error('cold start: the model emulator got no request');
    const github = timeline.spans(env.gh.url);
    const before = github.filter((s) => s.start < model.start);
    return {
      firstModel: model.start - spawnedAt,
      firstGitHub: (github[0]?.start ?? Number.NaN) - spawnedAt,
      githubBefore: before.length,
      githubServed: before.reduce((sum, s) => sum + (s.finish - s.start), 0),
      cpu,
      exit,
    };
  } finally {
    await env.close();
  }
}

/** utime + stime + cutime + cstime of a live process, in ms (from /proc; NaN elsewhere). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14–17 of proc(5), counted from `state` (field 3) here.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: 100 on every Linux the runners use. */
const CLOCK_TICKS = 100;

/** Milliseconds from spawning `node -e 0` to its exit. */
function nodeFloor(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
  });
}
