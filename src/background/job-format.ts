import type { JobView } from '../agent/events.js';

/** Most characters of log output a notification's summary carries. */
export const SUMMARY_MAX_CHARS = 1500;
/** Most characters of a command shown in a notification or a status line. */
const COMMAND_MAX_CHARS = 500;

/**
 * The `<task_notification>` text for an ended job, exactly:
 *
 *     <task_notification>
 *       <task_id>bg_3</task_id>
 *       <status>failed</status>
 *       <exit_code>1</exit_code>
 *       <command>npm test</command>
 *       <duration>42s</duration>
 *       <summary>last lines of output</summary>
 *     </task_notification>
 *
 * Values are XML-escaped. `exit_code` is `none` for a job that never ran. `summary` should be
 * at most SUMMARY_MAX_CHARS characters of cleaned log tail; `(no output)` when empty.
 */
export function formatNotification(job: JobView, summary: string): string {
  return [
    '<task_notification>',
    `  <task_id>${xmlEscape(job.id)}</task_id>`,
    `  <status>${job.status}</status>`,
    `  <exit_code>${job.exitCode ?? 'none'}</exit_code>`,
    `  <command>${xmlEscape(clip(job.command, COMMAND_MAX_CHARS))}</command>`,
    `  <duration>${formatDuration(jobDurationMs(job))}</duration>`,
    `  <summary>${xmlEscape(summary.trim() === '' ? '(no output)' : summary)}</summary>`,
    '</task_notification>',
  ].join('\n');
}

/** What `bash` answers when it started a job. */
export function formatStarted(job: Pick<JobView, 'id' | 'command' | 'logPath'>, timeoutMs: number): string {
  return (
    `Started background job ${job.id}: ${clip(job.command, COMMAND_MAX_CHARS)} (log: ${job.logPath}). ` +
    `A <task_notification> will report its end (it is killed after ${formatDuration(timeoutMs)}); ` +
    'keep working meanwhile, or use job_status, job_output, job_wait or job_kill.'
  );
}

/** What `bash` answers when a job had to queue behind `running` others. */
export function formatQueued(
  job: Pick<JobView, 'id' | 'command' | 'logPath'>,
  timeoutMs: number,
  running: number,
): string {
  return (
    `Queued background job ${job.id}: ${clip(job.command, COMMAND_MAX_CHARS)} (log: ${job.logPath}). ` +
    `All ${running} job slots are busy; it starts when a running job ends, and a ` +
    `<task_notification> will report its end (it is killed after ${formatDuration(timeoutMs)} of running).`
  );
}

/** One line for job lists: `bg_3  failed (exit 1)  started 12:00:01Z, ran 42s  log 1.2 KB  npm test`. */
export function formatJobLine(job: JobView, now = Date.now()): string {
  const status =
    job.status === 'completed' || job.status === 'queued' || job.exitCode === null
      ? job.status
      : `${job.status} (exit ${job.exitCode})`;
  const duration =
    job.startedAt === null
      ? 'not started'
      : `started ${new Date(job.startedAt).toISOString().slice(11, 19)}Z, ran ${formatDuration(jobDurationMs(job, now))}`;
  const command = clip(job.command.replace(/\s+/g, ' ').trim(), 120);
  return `${job.id}  ${status}  ${duration}  log ${formatBytes(job.logBytes)}  ${command}`;
}

/** Run time so far (running) or in all (ended); 0 for a job that never started. */
export function jobDurationMs(job: JobView, now = Date.now()): number {
  if (job.startedAt === null) return 0;
  return Math.max(0, (job.endedAt ?? now) - job.startedAt);
}

/** `850ms`, `2.1s`, `42s`, `3m 05s`, `30m`, `1h 02m`, `2h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  const m = Math.floor(s / 60) % 60;
  return m === 0 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 3600)}h ${pad(m)}m`;
}

/** `0 B`, `512 B`, `4.1 KB`, `1.0 GB` (powers of 1024). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
