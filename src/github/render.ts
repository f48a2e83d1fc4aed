import type { JobStatus, JobView, TaskView } from '../agent/events.js';
import { progressMarker, statusMarker } from './markers.js';
import {
  details,
  embedMarkdown,
  fitLines,
  formatDuration,
  formatTokens,
  formatUsd,
  inlineCode,
  inlineText,
} from './render-format.js';
import { taskCounts, type RunState, type RunStatus } from './run-state.js';

/** GitHub rejects comment bodies over 65,536 characters; stay well below. */
export const COMMENT_LIMIT = 60_000;

export interface RenderOptions {
  runId: number;
  /** Link to the workflow run, or null to show none. */
  runUrl: string | null;
  /** Clock for elapsed times of unfinished runs and jobs (epoch ms). */
  now: number;
  /** Maximum body length; default COMMENT_LIMIT. */
  maxChars?: number;
  /**
   * Machine-readable state appended verbatim as the last line (an HTML comment, invisible when
   * rendered); its length counts against `maxChars`.
   */
  hidden?: string | undefined;
}

const STATUS_LABEL: Record<RunStatus, string> = {
  working: '⏳ Working',
  done: '✅ Done',
  failed: '❌ Failed',
  cancelled: '⏹ Cancelled',
  timed_out: '⌛ Out of time',
  budget: '💸 Budget reached',
};

/** The bold status label, e.g. `**✅ Done**`. */
export function statusLabel(status: RunStatus): string {
  return `**${STATUS_LABEL[status]}**`;
}

/** The status line's leading part; the post step swaps it in place (see markCancelledIfUnfinished). */
export function statusHead(status: RunStatus, detail = ''): string {
  return `${statusMarker(status)}${statusLabel(status)}${detail}`;
}

export function elapsedMs(state: RunState, now: number): number {
  if (state.durationMs !== null) return state.durationMs;
  return state.startedAt === null ? 0 : now - state.startedAt;
}

function statusLine(state: RunState, options: RenderOptions): string {
  const detail = state.endReason === 'max_turns' ? ' (turn limit)' : '';
  const parts = [statusHead(state.status, detail), formatDuration(elapsedMs(state, options.now))];
  if (options.runUrl) parts.push(`[workflow run](${options.runUrl})`);
  return parts.join(' · ');
}

const TASK_ICON: Record<TaskView['status'], string> = {
  pending: '',
  in_progress: '🔄 ',
  completed: '',
  failed: '❌ ',
};

/**
 * One checklist line. A pending task shows what still blocks it (`board` tells which blockers
 * are done); a started or finished task no longer does.
 */
export function taskLine(task: TaskView, board: readonly TaskView[] = []): string {
  const extras: string[] = [];
  if (task.status === 'in_progress' || task.status === 'failed') extras.push(task.status.replace('_', ' '));
  if (task.owner) extras.push(`owner ${inlineText(task.owner, 40)}`);
  const done = new Set(board.filter((t) => t.status === 'completed').map((t) => t.id));
  const waiting = task.status === 'pending' ? task.blockedBy.filter((id) => !done.has(id)) : [];
  if (waiting.length > 0) extras.push(`blocked by ${waiting.map((id) => inlineText(id, 20)).join(', ')}`);
  const box = task.status === 'completed' ? '[x]' : '[ ]';
  const tail = extras.length > 0 ? ` — _${extras.join(' · ')}_` : '';
  return `- ${box} ${TASK_ICON[task.status]}**${inlineText(task.id, 20)}** ${inlineText(task.subject, 160)}${tail}`;
}

function tasksSection(state: RunState, budget: number): string {
  if (state.tasks.length === 0) return '';
  const { completed, total } = taskCounts(state);
  const title = `Tasks · ${completed}/${total} done`;
  const list = fitLines(
    state.tasks.map((t) => taskLine(t, state.tasks)),
    budget - 200,
    (n) => `- _… ${n} more tasks not shown_`,
  );
  return state.tasks.length > 15 ? details(`<b>${title}</b>`, list) : `#### ${title}\n\n${list}`;
}

const JOB_ICON: Record<JobStatus, string> = {
  queued: '🕓 queued',
  running: '⏳ running',
  completed: '✅ completed',
  failed: '❌ failed',
  timed_out: '⌛ timed out',
  killed: '⏹ killed',
};

export function jobDurationMs(job: JobView, now: number): number | null {
  if (job.startedAt === null) return null;
  return (job.endedAt ?? now) - job.startedAt;
}

export function jobRow(job: JobView, now: number): string {
  const duration = jobDurationMs(job, now);
  const cells = [
    inlineCode(job.id, 24),
    inlineCode(job.command, 80),
    JOB_ICON[job.status],
    duration === null ? '–' : formatDuration(duration),
    job.exitCode === null ? '–' : String(job.exitCode),
  ];
  return `| ${cells.join(' | ')} |`;
}

export const JOB_TABLE_HEAD = '| Job | Command | Status | Duration | Exit |\n|---|---|---|---|---|';

function jobsSection(state: RunState, now: number, budget: number): string {
  if (state.jobs.length === 0) return '';
  const rows = fitLines(
    state.jobs.map((j) => jobRow(j, now)),
    budget - 200,
    (n) => `| _… ${n} more jobs not shown_ | | | | |`,
  );
  const table = `${JOB_TABLE_HEAD}\n${rows}`;
  const title = `Background jobs · ${state.jobs.filter((j) => j.status === 'running').length} running`;
  return state.jobs.length > 8 ? details(`<b>${title}</b>`, table) : `#### ${title}\n\n${table}`;
}

function activityLine(state: RunState): string {
  const a = state.activity;
  if (state.status !== 'working' || !a) return '';
  const what = a.preview ? ` ${inlineCode(a.preview, 100)}` : '';
  const where = a.turn > 0 ? ` (turn ${a.turn})` : '';
  return `**Now:** ${inlineCode(a.tool, 40)}${what}${a.running ? '' : ' ✓'}${where}`;
}

export function usageLine(state: RunState): string {
  const u = state.usage;
  const parts = [
    `${state.turnCount} ${state.turnCount === 1 ? 'turn' : 'turns'}`,
    `${formatTokens(u.inputTokens)} input / ${formatTokens(u.outputTokens)} output / ${formatTokens(u.cacheReadTokens)} cache-read tokens`,
    `${formatUsd(state.costUsd)}${state.unpriced ? ' (some turns unpriced)' : ''}`,
  ];
  if (state.model) parts.push(inlineText(state.model, 60));
  return parts.join(' · ');
}

/** One line on how the work was handed back: branch, commits, pull request, or why not. */
export function deliveryLine(state: Pick<RunState, 'delivery'>): string {
  const d = state.delivery;
  if (!d) return '';
  const parts: string[] = [];
  if (d.branch && d.pushed) {
    parts.push(`🌿 ${d.commits} ${d.commits === 1 ? 'commit' : 'commits'} on ${inlineCode(d.branch, 120)}`);
  }
  if (d.pullRequest) {
    parts.push(
      `${d.pullRequest.created ? 'opened' : 'updated'} [#${d.pullRequest.number}](${d.pullRequest.url})`,
    );
  }
  if (d.note) parts.push(inlineText(d.note, 300));
  return parts.length > 0 ? `**Work:** ${parts.join(' · ')}` : '';
}

function noticeLines(state: RunState): string {
  return state.notices
    .filter((n) => n.level !== 'info')
    .map((n) => `> ${n.level === 'error' ? '❗' : '⚠️'} ${inlineText(n.message, 300)}`)
    .join('\n');
}

function summarySection(state: RunState, budget: number): string {
  const parts: string[] = [];
  if (state.error && state.status !== 'done') parts.push(`> ❗ ${inlineText(state.error, 500)}`);
  if (state.summary) {
    const text = embedMarkdown(state.summary, Math.max(0, budget - 200));
    parts.push(text.length > 4000 ? details('<b>Summary</b>', text) : `#### Summary\n\n${text}`);
  }
  return parts.join('\n\n');
}

/**
 * The progress comment body (pure). Starts with the run's progress marker and the status
 * marker; never longer than `maxChars`: long sections collapse into `<details>` and are cut
 * with a note. Text from the model or tools is escaped and never mentions anyone.
 */
export function renderProgressComment(state: RunState, options: RenderOptions): string {
  const hidden = options.hidden ? `\n\n${options.hidden}` : '';
  const limit = (options.maxChars ?? COMMENT_LIMIT) - hidden.length;
  const head = [progressMarker(options.runId), statusLine(state, options)].join('\n');
  const foot = `<sub>${usageLine(state)}</sub>`;
  const fixed = [head, deliveryLine(state), activityLine(state), noticeLines(state), foot].join('\n\n');
  let room = limit - fixed.length - 100;
  const summary = summarySection(state, Math.min(20_000, Math.floor(room * 0.4)));
  room -= summary.length;
  const tasks = tasksSection(state, Math.floor(room * 0.7));
  room -= tasks.length;
  const jobs = jobsSection(state, options.now, room);
  const body = [
    head,
    summary,
    deliveryLine(state),
    activityLine(state),
    noticeLines(state),
    tasks,
    jobs,
    foot,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
  if (body.length <= limit) return body + hidden;
  const note = '\n\n_… truncated to fit GitHub’s comment limit_';
  return body.slice(0, limit - note.length) + note + hidden;
}
