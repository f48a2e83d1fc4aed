import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AgentEvent, JobView } from '../../src/agent/events.js';
import { JobManager, type JobManagerOptions } from '../../src/background/job-manager.js';
import { groupHasLiveProcess, processAlive } from '../../src/process/process-group.js';

export interface Harness {
  jobs: JobManager;
  events: AgentEvent[];
  /** The workspace the jobs run in. */
  cwd: string;
  logDir: string;
  /** Job events only, as `action:id:status`. */
  jobEvents: () => string[];
}

const live: { jobs: JobManager; dirs: string[] }[] = [];

/** The environment jobs get in tests: just enough to run coreutils. */
export const testEnv = (): Record<string, string> => ({
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  LANG: 'C',
});

export function makeJobs(opts: Partial<Omit<JobManagerOptions, 'emit'>> = {}): Harness {
  const cwd = mkdtempSync(join(tmpdir(), 'tp-jobs-ws-'));
  const logDir = mkdtempSync(join(tmpdir(), 'tp-jobs-log-'));
  const events: AgentEvent[] = [];
  const jobs = new JobManager({
    cwd,
    env: testEnv(),
    logDir,
    killGraceMs: 300,
    ...opts,
    emit: (e) => events.push(e),
  });
  live.push({ jobs, dirs: [cwd, logDir] });
  const jobEvents = (): string[] =>
    events.flatMap((e) => (e.type === 'job' ? [`${e.action}:${e.job.id}:${e.job.status}`] : []));
  return { jobs, events, cwd, logDir, jobEvents };
}

/**
 * Shuts down every manager made by makeJobs, and asserts that no process of any of their jobs
 * is alive (checked by process group). Call from afterEach.
 */
export async function cleanupJobs(): Promise<void> {
  for (const { jobs, dirs } of live.splice(0)) {
    await jobs.shutdown();
    for (const job of jobs.list()) {
      const pgid = jobs.processGroupOf(job.id);
      if (pgid !== undefined) expect(groupHasLiveProcess(pgid), `${job.id} group ${pgid}`).toBe(false);
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Waits until no job is queued or running. (Not a waitForNext loop: that returns at once while
 * notifications wait to be taken, and the tests want to read them afterwards.)
 */
export async function drain(jobs: JobManager, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (jobs.hasActive() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(jobs.hasActive()).toBe(false);
}

export function must(view: JobView | undefined): JobView {
  expect(view).toBeDefined();
  return view as JobView;
}

/** Reads pids written by a job (one per line) once the file has `count` of them. */
export async function readPids(path: string, count: number, timeoutMs = 5000): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let pids: number[] = [];
    try {
      pids = readFileSync(path, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // not written yet
    }
    if (pids.length >= count) return pids;
    if (Date.now() > until) throw new Error(`${path}: ${pids.length} of ${count} pids`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function expectAllDead(pids: number[]): void {
  for (const pid of pids) expect(processAlive(pid), `pid ${pid}`).toBe(false);
}

/** Resolves once `path` exists; throws after `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
