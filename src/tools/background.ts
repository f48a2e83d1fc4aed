import { z } from 'zod';
import { formatBytes, formatDuration, formatJobLine, jobDurationMs } from '../background/job-format.js';
import { MAX_SLICE_BYTES, readLogRange, readLogTail, type LogSlice } from '../background/job-log.js';
import type { JobManager } from '../background/job-manager.js';
import type { JobView } from '../agent/events.js';
import { defineTool, ToolError, type AnyTool } from './tool.js';

export interface BackgroundToolsDeps {
  jobs: JobManager;
}

/** Lines of log shown by job_status {id}, job_wait and job_kill. */
export const STATUS_TAIL_LINES = 20;
/** Bytes job_output returns when no limit is given. */
export const DEFAULT_OUTPUT_BYTES = 20_000;
/** job_wait's timeout_seconds is capped to this. */
export const MAX_WAIT_SECONDS = 3600;
const TAIL_MAX_CHARS = 4000;

const statusInput = z.object({
  id: z.string().optional().describe('A job id such as "bg_3". Omit to list every job.'),
});
const outputInput = z.object({
  id: z.string().describe('The job id, such as "bg_3".'),
  offset: z.number().int().min(0).optional().describe('Byte offset to start reading at.'),
  limit: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`Bytes to read (default ${DEFAULT_OUTPUT_BYTES}, at most ${MAX_SLICE_BYTES}).`),
  tail: z.number().int().positive().optional().describe('Return only the last N lines of the log.'),
});
const waitInput = z.object({
  id: z.string().optional().describe('The job to wait for. Omit to wait for whichever job ends next.'),
  timeout_seconds: z
    .number()
    .positive()
    .describe(`Stop waiting after this many seconds (capped at ${MAX_WAIT_SECONDS}). The job keeps running.`),
});
const killInput = z.object({ id: z.string().describe('The job id, such as "bg_3".') });

/**
 * The model's tools for background jobs started by `bash` (run_in_background, or a command the
 * slow-command heuristic picked). Unknown ids are ToolErrors. A job end reported by job_wait
 * or job_kill is acknowledged, so no `<task_notification>` repeats it.
 */
export function createBackgroundTools(deps: BackgroundToolsDeps): AnyTool[] {
  const { jobs } = deps;
  const find = (id: string): JobView => {
    const job = jobs.get(id);
    if (job) return job;
    const known = jobs.list().map((j) => j.id);
    throw new ToolError(
      `No background job "${id}". ${known.length > 0 ? `Jobs: ${known.join(', ')}.` : 'No job has been started.'}`,
    );
  };

  const jobStatus = defineTool({
    name: 'job_status',
    description:
      'Show background jobs (commands started by bash with run_in_background, or picked as slow). ' +
      'Without id: one line per job with id, status (queued, running, completed, failed, timed_out, killed), ' +
      `exit code, duration, log size and command. With id: that job and the last ${STATUS_TAIL_LINES} lines ` +
      'of its log. You do not need to poll: a <task_notification> arrives on its own when a job ends.',
    input: statusInput,
    preview: (input) => input.id ?? 'all jobs',
    execute: (input) => {
      if (input.id === undefined) {
        const all = jobs.list();
        if (all.length === 0) return Promise.resolve('No background jobs have been started.');
        return Promise.resolve(all.map((job) => formatJobLine(job)).join('\n'));
      }
      return Promise.resolve(describeWithTail(find(input.id)));
    },
  });

  const jobOutput = defineTool({
    name: 'job_output',
    description:
      "Read a background job's log (stdout and stderr combined), also while it runs. " +
      `By default the whole log when it is small, otherwise its last ${DEFAULT_OUTPUT_BYTES} bytes. ` +
      'offset (and limit) read a byte range; the answer says where the next part starts. ' +
      'tail returns only the last N lines. Long logs are always cut, with a note saying how to read on.',
    input: outputInput,
    preview: (input) => input.id,
    execute: (input) => {
      const job = find(input.id);
      const limit = Math.min(input.limit ?? DEFAULT_OUTPUT_BYTES, MAX_SLICE_BYTES);
      const head = `${formatJobLine(job)}\nlog: ${job.logPath}`;
      let slice: LogSlice;
      if (input.tail !== undefined) {
        slice = readLogTail(job.logPath, { maxLines: input.tail, maxChars: limit });
      } else if (input.offset !== undefined) {
        slice = readLogRange(job.logPath, input.offset, limit);
      } else {
        slice = readLogTail(job.logPath, { maxLines: Number.MAX_SAFE_INTEGER, maxChars: limit });
      }
      const note = sliceNote(
        slice,
        job,
        input.tail === undefined ? 'Bytes' : `Last ${input.tail} lines, bytes`,
      );
      return Promise.resolve(`${head}\n${note}\n${slice.text}${continuation(slice)}`);
    },
  });

  const jobWait = defineTool({
    name: 'job_wait',
    description:
      'Wait for a background job to end and get its status and last log lines. With id: that job. ' +
      'Without id: the next job to end (or, at once, jobs that ended but were not reported to you yet). ' +
      'Returns after timeout_seconds at the latest; the job keeps running then. ' +
      'Use it only when you have nothing else to do: a <task_notification> reports every job end anyway.',
    input: waitInput,
    preview: (input) => `${input.id ?? 'next job'} (up to ${input.timeout_seconds}s)`,
    async execute(input, ctx) {
      const ms = Math.min(input.timeout_seconds, MAX_WAIT_SECONDS) * 1000;
      const stopped = (): string =>
        ctx.signal.aborted
          ? 'Stopped waiting: the run is ending.'
          : `Nothing ended within ${formatDuration(ms)} of waiting; running jobs keep running.`;
      if (input.id !== undefined) {
        const id = find(input.id).id;
        const job = (await jobs.wait(id, ms, ctx.signal)) ?? find(id);
        if (job.endedAt === null) return `${stopped()}\n${describeWithTail(job)}`;
        jobs.acknowledge(job.id);
        return describeWithTail(job);
      }
      const ended = await jobs.waitAny(ms, ctx.signal);
      if (ended.length === 0) {
        const active = jobs.list().filter((job) => job.endedAt === null);
        if (active.length === 0) return 'No background job is queued or running.';
        return `${stopped()} Still active:\n${active.map((job) => formatJobLine(job)).join('\n')}`;
      }
      for (const job of ended) jobs.acknowledge(job.id);
      return ended.map(describeWithTail).join('\n\n');
    },
  });

  const jobKill = defineTool({
    name: 'job_kill',
    description:
      'Stop a background job and every process it started: SIGTERM to its process group, then SIGKILL ' +
      'after a grace period. A queued job is dropped without starting. Returns the final status.',
    input: killInput,
    preview: (input) => input.id,
    async execute(input) {
      const before = find(input.id);
      if (before.endedAt !== null) return `${before.id} had already ended.\n${describeWithTail(before)}`;
      const job = (await jobs.kill(before.id)) ?? before;
      jobs.acknowledge(job.id);
      return describeWithTail(job);
    },
  });

  return [jobStatus, jobOutput, jobWait, jobKill];
}

/** The job's status line, log path and last STATUS_TAIL_LINES log lines. */
function describeWithTail(job: JobView): string {
  const tail = readLogTail(job.logPath, { maxLines: STATUS_TAIL_LINES, maxChars: TAIL_MAX_CHARS });
  const body = tail.text === '' ? '(no output yet)' : tail.text;
  const ran = job.startedAt === null ? '' : ` after ${formatDuration(jobDurationMs(job))}`;
  const state = job.endedAt === null ? `${job.status}${ran}` : `ended ${job.status}${ran}`;
  return `${formatJobLine(job)}\n${job.id} ${state}; log: ${job.logPath}\nLast lines:\n${body}`;
}

function sliceNote(slice: LogSlice, job: JobView, what: string): string {
  const growing = job.endedAt === null ? ' (still growing)' : '';
  if (slice.size === 0) return `The log is empty${growing}.`;
  if (slice.start === 0 && slice.end === slice.size) {
    return `Whole log, ${formatBytes(slice.size)}${growing}:`;
  }
  return `${what} ${slice.start}–${slice.end} of ${slice.size} (${formatBytes(slice.size)})${growing}:`;
}

function continuation(slice: LogSlice): string {
  const notes: string[] = [];
  if (slice.start > 0) notes.push(`${slice.start} earlier bytes not shown (read them with offset=0)`);
  if (slice.end < slice.size) notes.push(`${slice.size - slice.end} more bytes (next: offset=${slice.end})`);
  return notes.length === 0 ? '' : `\n[cut: ${notes.join('; ')}]`;
}
