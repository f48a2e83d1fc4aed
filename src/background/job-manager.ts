import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { EventSink, JobStatus, JobView } from '../agent/events.js';
import { spawnGroup, stopGroup, type GroupExit, type GroupProcess } from '../process/process-group.js';
import { ToolError } from '../tools/tool.js';
import { EndWaiters } from './end-waiters.js';
import { formatNotification, formatQueued, formatStarted, SUMMARY_MAX_CHARS } from './job-format.js';
import { appendLogNote, logSize, readLogTail } from './job-log.js';
import type { BackgroundLauncher, JobsPort } from './jobs-port.js';
import { isSlowCommand } from './slow-command.js';

export interface JobManagerOptions {
  /** Working directory of every job: the workspace. */
  cwd: string;
  /** The whole environment of every job: the same scrubbed env as foreground commands. */
  env: Record<string, string>;
  /**
   * Where logs go (RUNNER_TEMP in Actions, the OS temp dir locally). Created if missing;
   * each manager writes `<id>.log` files in its own new subdirectory of it.
   */
  logDir: string;
  /** Per-job time limit, from its start; the job then ends `timed_out`. Default 30 min (at most 24 days). */
  timeoutMs?: number;
  /** Jobs running at once (at least 1); further jobs queue. Default 4. */
  maxConcurrent?: number;
  /** Receives `job` events: `queued` (only for a job that has to wait), `started`, and exactly one `ended`. Must not throw. */
  emit: EventSink;
  /** Time between SIGTERM and SIGKILL when a job is stopped. Default 2 s. */
  killGraceMs?: number;
}

export const DEFAULT_JOB_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_MAX_CONCURRENT_JOBS = 4;
export const DEFAULT_KILL_GRACE_MS = 2000;

const FINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'timed_out', 'killed']);
const TAIL = { maxLines: 40, maxChars: SUMMARY_MAX_CHARS };

interface Job {
  readonly id: string;
  readonly command: string;
  readonly logPath: string;
  status: JobStatus;
  exitCode: number | null;
  startedAt: number | null;
  endedAt: number | null;
  logBytes: number;
  pgid: number;
  timer: NodeJS.Timeout | undefined;
  /** Set when a stop was asked before the leader's exit was seen; the first reason wins. */
  stopReason: 'timed_out' | 'killed' | undefined;
  leaderExited: boolean;
  readonly ended: Promise<void>;
  markEnded: () => void;
}

/**
 * Runs shell commands as background jobs: `bash -c` in its own process group, combined
 * output written by the child straight to a log file (never through this process), a
 * per-job timeout, and at most `maxConcurrent` at once with a FIFO queue behind them.
 *
 * Every job ends exactly once, as `completed` (exit 0), `failed`, `timed_out` or `killed`;
 * a stop asked before the job's exit was seen decides its status even when the exit races
 * it. A job ends only once no live process of its group is left: processes the command left
 * behind are stopped when its shell exits. On ending, its `<task_notification>` is queued.
 */
export class JobManager implements JobsPort, BackgroundLauncher {
  readonly #opts: Required<JobManagerOptions>;
  readonly #jobs = new Map<string, Job>();
  readonly #queue: Job[] = [];
  /** Notifications not yet taken, by job id, oldest first. */
  readonly #pending = new Map<string, string>();
  readonly #ends = new EndWaiters<Job>();
  #dir: string | undefined;
  #nextId = 1;
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(opts: JobManagerOptions) {
    this.#opts = {
      ...opts,
      timeoutMs: clamp(opts.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, 1, 2 ** 31 - 1),
      maxConcurrent: Math.floor(clamp(opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_JOBS, 1, 1000)),
      killGraceMs: clamp(opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS, 0, 60_000),
    };
  }

  shouldBackground(command: string, explicit: boolean | undefined): boolean {
    return explicit ?? isSlowCommand(command);
  }

  /** Starts or queues `command`. Throws ToolError once shutdown has begun. */
  start(command: string): string {
    if (this.#closed) throw new ToolError('Background jobs are shut down: the run is ending.');
    const id = `bg_${this.#nextId++}`;
    const logPath = join(this.#logDirectory(), `${id}.log`);
    writeFileSync(logPath, '');
    const job = newJob(id, command, logPath);
    this.#jobs.set(id, job);
    const running = this.#runningCount();
    if (running < this.#opts.maxConcurrent) {
      this.#launch(job);
      return formatStarted(job, this.#opts.timeoutMs);
    }
    this.#queue.push(job);
    this.#emit('queued', job);
    return formatQueued(job, this.#opts.timeoutMs, running);
  }

  takeNotifications(): string[] {
    const texts = [...this.#pending.values()];
    this.#pending.clear();
    return texts;
  }

  hasActive(): boolean {
    for (const job of this.#jobs.values()) if (!FINAL.has(job.status)) return true;
    return false;
  }

  /**
   * Also resolves at once when notifications are waiting to be taken (a job ended while the
   * model was answering: deliver that first), or no job is active. So a caller must take the
   * notifications before waiting again, or it spins.
   */
  async waitForNext(signal: AbortSignal): Promise<void> {
    if (this.#pending.size > 0 || !this.hasActive() || signal.aborted) return;
    await this.#ends.next(signal, undefined, () => true);
  }

  /** Kills every queued and running job (they end `killed`) and resolves once all have ended. Idempotent. */
  shutdown(): Promise<void> {
    if (this.#shutdown === undefined) {
      this.#closed = true;
      const active = [...this.#jobs.values()].filter((job) => !FINAL.has(job.status));
      this.#shutdown = Promise.all(active.map((job) => this.#stop(job, 'killed'))).then(() => undefined);
    }
    return this.#shutdown;
  }

  /** All jobs, in start order. */
  list(): JobView[] {
    return [...this.#jobs.values()].map((job) => this.#view(job));
  }

  get(id: string): JobView | undefined {
    const job = this.#jobs.get(id);
    return job && this.#view(job);
  }

  /** The job's process group id, for diagnostics and orphan checks; undefined before it starts. */
  processGroupOf(id: string): number | undefined {
    const pgid = this.#jobs.get(id)?.pgid;
    return pgid === undefined || pgid <= 0 ? undefined : pgid;
  }

  /** Drops the job's pending notification: its end was reported to the model another way. */
  acknowledge(id: string): void {
    this.#pending.delete(id);
  }

  /**
   * Waits until job `id` has ended, `timeoutMs` passes or `signal` fires, and returns its view
   * then (still active on timeout). Undefined for an unknown id.
   */
  async wait(id: string, timeoutMs: number, signal: AbortSignal): Promise<JobView | undefined> {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    if (!FINAL.has(job.status) && !signal.aborted) await this.#ends.next(signal, timeoutMs, (j) => j === job);
    return this.#view(job);
  }

  /**
   * The jobs that ended but whose end is not reported yet, at once if there are any; else
   * waits for the next job to end (up to `timeoutMs`, or until `signal`) and returns it.
   * Empty when nothing ended in time or no job is active.
   */
  async waitAny(timeoutMs: number, signal: AbortSignal): Promise<JobView[]> {
    const unreported = [...this.#pending.keys()].flatMap((id) => this.get(id) ?? []);
    if (unreported.length > 0 || !this.hasActive() || signal.aborted) return unreported;
    const job = await this.#ends.next(signal, timeoutMs, () => true);
    return job ? [this.#view(job)] : [];
  }

  /** Kills job `id` (a queued job is dropped) and returns its final view; undefined for an unknown id. */
  async kill(id: string): Promise<JobView | undefined> {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    await this.#stop(job, 'killed');
    return this.#view(job);
  }

  #launch(job: Job): void {
    job.status = 'running';
    job.startedAt = Date.now();
    let group: GroupProcess;
    let fd: number | undefined;
    try {
      // The child gets its own copy of the descriptor: output goes to the file, not through here.
      fd = openSync(job.logPath, 'a');
      group = spawnGroup(job.command, { cwd: this.#opts.cwd, env: this.#opts.env, output: fd });
    } catch (err) {
      this.#emit('started', job);
      this.#finish(job, { code: null, signal: null }, err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    job.pgid = group.pgid;
    let spawnError: Error | undefined;
    group.child.once('error', (err) => (spawnError = err));
    job.timer = setTimeout(() => void this.#stop(job, 'timed_out'), this.#opts.timeoutMs);
    this.#emit('started', job);
    void group.exited.then(async (exit) => {
      job.leaderExited = true;
      await stopGroup(job.pgid, this.#opts.killGraceMs);
      this.#finish(job, exit, spawnError);
    });
  }

  async #stop(job: Job, reason: 'timed_out' | 'killed'): Promise<void> {
    if (FINAL.has(job.status)) return;
    if (job.status === 'queued') {
      this.#queue.splice(this.#queue.indexOf(job), 1);
      job.stopReason = reason;
      this.#finish(job, { code: null, signal: null });
      return;
    }
    if (!job.leaderExited && job.stopReason === undefined) {
      job.stopReason = reason;
      clearTimeout(job.timer);
      await stopGroup(job.pgid, this.#opts.killGraceMs);
    }
    await job.ended;
  }

  #finish(job: Job, exit: GroupExit, spawnError?: Error): void {
    if (FINAL.has(job.status)) return;
    clearTimeout(job.timer);
    if (spawnError) appendLogNote(job.logPath, `taskpilot: could not start the job: ${spawnError.message}`);
    const signalCode = exit.signal ? constants.signals[exit.signal] : undefined;
    job.exitCode = exit.code ?? (signalCode === undefined ? null : 128 + signalCode);
    job.status = job.stopReason ?? (exit.code === 0 && !spawnError ? 'completed' : 'failed');
    job.endedAt = Date.now();
    job.logBytes = logSize(job.logPath);
    const view = this.#view(job);
    this.#pending.set(job.id, formatNotification(view, readLogTail(job.logPath, TAIL).text));
    this.#opts.emit({ type: 'job', action: 'ended', job: view });
    job.markEnded();
    this.#ends.notify(job);
    this.#pump();
  }

  #pump(): void {
    while (!this.#closed && this.#queue.length > 0 && this.#runningCount() < this.#opts.maxConcurrent) {
      this.#launch(this.#queue.shift() as Job);
    }
  }

  #runningCount(): number {
    let n = 0;
    for (const job of this.#jobs.values()) if (job.status === 'running') n++;
    return n;
  }

  #logDirectory(): string {
    if (this.#dir === undefined) {
      mkdirSync(this.#opts.logDir, { recursive: true });
      this.#dir = mkdtempSync(join(this.#opts.logDir, 'taskpilot-jobs-'));
    }
    return this.#dir;
  }

  #emit(action: 'queued' | 'started', job: Job): void {
    this.#opts.emit({ type: 'job', action, job: this.#view(job) });
  }

  #view(job: Job): JobView {
    return {
      id: job.id,
      command: job.command,
      status: job.status,
      exitCode: job.exitCode,
      startedAt: job.startedAt,
      endedAt: job.endedAt,
      logPath: job.logPath,
      logBytes: FINAL.has(job.status) ? job.logBytes : logSize(job.logPath),
    };
  }
}

function newJob(id: string, command: string, logPath: string): Job {
  let markEnded = (): void => undefined;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const job: Job = {
    id,
    command,
    logPath,
    status: 'queued',
    exitCode: null,
    startedAt: null,
    endedAt: null,
    logBytes: 0,
    pgid: -1,
    timer: undefined,
    stopReason: undefined,
    leaderExited: false,
    ended,
    markEnded,
  };
  return job;
}

function clamp(n: number, min: number, max: number): number {
  return Number.isNaN(n) ? min : Math.min(max, Math.max(min, n));
}
