import * as core from '@actions/core';
import { redactDeep, type Redactor } from './redact.js';
import { JOB_TABLE_HEAD, deliveryLine, elapsedMs, jobRow, statusLabel } from './render.js';
import {
  embedMarkdown,
  fitLines,
  formatDuration,
  formatTokens,
  formatUsd,
  inlineText,
} from './render-format.js';
import {
  conclusionFor,
  initialRunState,
  taskCounts,
  type Conclusion,
  type RunState,
  type TurnRecord,
} from './run-state.js';

/** GitHub's step summary limit is 1 MiB; stay below it. */
export const SUMMARY_LIMIT = 900_000;

export interface JobSummaryOptions {
  runUrl: string | null;
  now: number;
  /** Link to the progress comment, when there is one. */
  commentUrl?: string | null;
}

function table(head: string[], rows: string[][], budget: number, what: string): string {
  const header = `| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`;
  const lines = rows.map((cells) => `| ${cells.join(' | ')} |`);
  return `${header}\n${fitLines(lines, budget, (n) => `| _… ${n} more ${what} not shown_ |${' |'.repeat(head.length - 1)}`)}`;
}

function toolCounts(calls: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const name of calls) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .map(([name, n]) => (n > 1 ? `${inlineText(name, 40)} ×${n}` : inlineText(name, 40)))
    .join(', ');
}

function turnRow(t: TurnRecord): string[] {
  return [
    String(t.turn),
    t.durationMs === null ? '–' : formatDuration(t.durationMs),
    formatTokens(t.usage.inputTokens),
    formatTokens(t.usage.outputTokens),
    formatTokens(t.usage.cacheReadTokens),
    formatTokens(t.usage.cacheWriteTokens),
    formatUsd(t.costUsd),
    toolCounts(t.toolCalls) || '–',
  ];
}

/**
 * The job summary markdown (pure): status, summary, tasks, background jobs, usage and cost,
 * and one row per turn. Never longer than SUMMARY_LIMIT.
 */
export function renderJobSummary(state: RunState, options: JobSummaryOptions): string {
  const links = [
    options.runUrl ? `[workflow run](${options.runUrl})` : '',
    options.commentUrl ? `[progress comment](${options.commentUrl})` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const head = `## taskpilot\n\n${statusLabel(state.status)}${state.endReason === 'max_turns' ? ' (turn limit)' : ''} · ${formatDuration(elapsedMs(state, options.now))}${links ? ` · ${links}` : ''}`;
  const parts = [head];
  if (state.error && state.status !== 'done') parts.push(`> ❗ ${inlineText(state.error, 2000)}`);
  if (state.summary) parts.push(`### Summary\n\n${embedMarkdown(state.summary, 100_000)}`);
  const delivery = deliveryLine(state);
  if (delivery) parts.push(delivery);

  const u = state.usage;
  parts.push(
    `### Usage\n\n${table(
      ['Turns', 'Input tokens', 'Output tokens', 'Cache read', 'Cache write', 'Cost', 'Model'],
      [
        [
          String(state.turnCount),
          formatTokens(u.inputTokens),
          formatTokens(u.outputTokens),
          formatTokens(u.cacheReadTokens),
          formatTokens(u.cacheWriteTokens),
          `${formatUsd(state.costUsd)}${state.unpriced ? ' (some turns unpriced)' : ''}`,
          state.model ? inlineText(state.model, 60) : '–',
        ],
      ],
      10_000,
      'rows',
    )}`,
  );

  if (state.tasks.length > 0) {
    const { completed, total } = taskCounts(state);
    const rows = state.tasks.map((t) => [
      inlineText(t.id, 20),
      inlineText(t.subject, 200),
      t.status.replace('_', ' '),
      t.owner ? inlineText(t.owner, 40) : '–',
      t.blockedBy.length > 0 ? t.blockedBy.map((id) => inlineText(id, 20)).join(', ') : '–',
      t.result ? inlineText(t.result, 300) : '',
    ]);
    parts.push(
      `### Tasks · ${completed}/${total} done\n\n${table(['Task', 'Subject', 'Status', 'Owner', 'Blocked by', 'Result'], rows, 300_000, 'tasks')}`,
    );
  }
  if (state.jobs.length > 0) {
    const rows = fitLines(
      state.jobs.map((j) => jobRow(j, options.now)),
      150_000,
      (n) => `| _… ${n} more jobs not shown_ | | | | |`,
    );
    parts.push(`### Background jobs\n\n${JOB_TABLE_HEAD}\n${rows}`);
  }
  if (state.turns.length > 0) {
    parts.push(
      `### Turns\n\n${table(
        ['Turn', 'Duration', 'Input', 'Output', 'Cache read', 'Cache write', 'Cost', 'Tools'],
        state.turns.map(turnRow),
        300_000,
        'turns',
      )}`,
    );
  }
  const body = parts.join('\n\n');
  return body.length <= SUMMARY_LIMIT ? body : `${body.slice(0, SUMMARY_LIMIT)}\n\n_… truncated_`;
}

/** Appends the summary, redacted before rendering (escaping splits tokens) and after. */
export async function writeJobSummary(
  state: RunState,
  options: JobSummaryOptions,
  redact: Redactor,
): Promise<void> {
  await core.summary.addRaw(redact(renderJobSummary(redactDeep(state, redact), options)), true).write();
}

export const OUTPUT_NAMES = [
  'conclusion',
  'comment-id',
  'comment-url',
  'turns',
  'input-tokens',
  'output-tokens',
  'cache-read-tokens',
  'cache-write-tokens',
  'cost-usd',
  'tasks-completed',
  'tasks-total',
  'branch',
  'pr-number',
  'pr-url',
  'commits',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];
export type ActionOutputs = Record<OutputName, string>;

export interface OutputExtras {
  /** Overrides the conclusion derived from the state. */
  conclusion?: Conclusion;
  commentId?: number | null;
  commentUrl?: string | null;
}

/** The action outputs for a state (pure). Cost has 4 decimals; missing values are ''. */
export function outputsFor(state: RunState, extras: OutputExtras = {}): ActionOutputs {
  const { completed, total } = taskCounts(state);
  return {
    conclusion: extras.conclusion ?? conclusionFor(state.status),
    'comment-id': extras.commentId == null ? '' : String(extras.commentId),
    'comment-url': extras.commentUrl ?? '',
    turns: String(state.turnCount),
    'input-tokens': String(state.usage.inputTokens),
    'output-tokens': String(state.usage.outputTokens),
    'cache-read-tokens': String(state.usage.cacheReadTokens),
    'cache-write-tokens': String(state.usage.cacheWriteTokens),
    'cost-usd': state.costUsd.toFixed(4),
    'tasks-completed': String(completed),
    'tasks-total': String(total),
    branch: state.delivery?.pushed ? (state.delivery.branch ?? '') : '',
    'pr-number': state.delivery?.pullRequest ? String(state.delivery.pullRequest.number) : '',
    'pr-url': state.delivery?.pullRequest?.url ?? '',
    commits: String(state.delivery?.commits ?? 0),
  };
}

/** The outputs of a run that did not start (not triggered or refused). */
export function skippedOutputs(): ActionOutputs {
  return outputsFor(initialRunState(), { conclusion: 'skipped' });
}

/** Sets every action output through @actions/core. */
export function writeOutputs(outputs: ActionOutputs): void {
  for (const name of OUTPUT_NAMES) core.setOutput(name, outputs[name]);
}

/** Sets the outputs of a finished run. */
export function setOutputs(state: RunState, extras: OutputExtras = {}): void {
  writeOutputs(outputsFor(state, extras));
}

/** Sets the outputs of a skipped run (conclusion=skipped, zero counts). */
export function setSkippedOutputs(): void {
  writeOutputs(skippedOutputs());
}
