import type { Usage } from '../model/model-client.js';

/** Why a run ended. Every run ends with exactly one of these. */
export type RunEndReason = 'done' | 'max_turns' | 'deadline' | 'budget' | 'aborted' | 'error';

/** How a run ended: what the loop returns and what `run_end` reports. */
export interface RunOutcome {
  reason: RunEndReason;
  /** The model's final text, or the wind-down summary. Empty when the model gave none. */
  summary: string;
  /** Set when reason is 'error'. */
  error?: string | undefined;
  turns: number;
  usage: Usage;
  costUsd: number;
}

/** A task as reporters see it (see tasks/task.ts for the stored shape). */
export interface TaskView {
  id: string;
  subject: string;
  status: 'pending' | 'in_progress' | 'completed' | 'failed';
  owner: string | null;
  blockedBy: string[];
  result?: string | undefined;
}

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'timed_out' | 'killed';

/** A background job as reporters see it. */
export interface JobView {
  id: string;
  command: string;
  status: JobStatus;
  exitCode: number | null;
  startedAt: number | null;
  endedAt: number | null;
  logPath: string;
  logBytes: number;
}

/** How the run's work was handed back (Action runs only). */
export interface DeliveryView {
  /** The branch the work went to; null when there was nothing to push or no git checkout. */
  branch: string | null;
  /** Commits the run added (its own and the final one). */
  commits: number;
  pushed: boolean;
  pullRequest: { number: number; url: string; created: boolean } | null;
  /** One line for the maintainer: "no changes", "push rejected: …", "read-only: fork PR", … */
  note: string;
}

/**
 * Everything a reporter (terminal log, progress comment, job summary, log groups) can know
 * about a run. Reporters subscribe to this stream and never reach into the loop.
 */
export type AgentEvent =
  | { type: 'run_start'; model: string; prompt: string; at: number }
  | { type: 'turn_start'; turn: number; at: number }
  | { type: 'assistant_text'; turn: number; text: string }
  | {
      type: 'turn_end';
      turn: number;
      usage: Usage;
      costUsd: number;
      /** False when the model's price is unknown: cost then counts 0. */
      priced: boolean;
      stopReason: string;
      toolCalls: string[];
      durationMs: number;
      model: string;
    }
  | { type: 'tool_start'; turn: number; id: string; name: string; preview: string; at: number }
  | {
      type: 'tool_end';
      turn: number;
      id: string;
      name: string;
      isError: boolean;
      preview: string;
      durationMs: number;
    }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'model_fallback'; from: string; to: string; reason: string }
  | {
      type: 'task';
      action: 'created' | 'updated' | 'claimed' | 'completed' | 'failed' | 'released';
      task: TaskView;
      tasks: TaskView[];
    }
  | { type: 'job'; action: 'queued' | 'started' | 'ended'; job: JobView }
  | { type: 'delivery'; delivery: DeliveryView }
  | ({ type: 'run_end'; durationMs: number } & RunOutcome);

export type EventSink = (event: AgentEvent) => void;

/** Cuts text to one readable line of at most `max` characters. */
export function preview(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
