import type { AgentEvent, DeliveryView, JobView, RunEndReason, TaskView } from '../agent/events.js';
import { addUsage, emptyUsage, type Usage } from '../model/model-client.js';

/** What the progress comment's status line says. `working` until the run ends. */
export type RunStatus = 'working' | 'done' | 'failed' | 'cancelled' | 'timed_out' | 'budget';

/** The action's `conclusion` output. */
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'timed_out' | 'budget_exhausted' | 'skipped';

export interface TurnRecord {
  turn: number;
  startedAt: number | null;
  /** null until the turn ends. */
  durationMs: number | null;
  usage: Usage;
  costUsd: number;
  toolCalls: string[];
  model: string | null;
}

/** The last tool call. `running` until its tool_end arrives. */
export interface Activity {
  id: string;
  /** The turn the tool call belongs to. */
  turn: number;
  tool: string;
  preview: string;
  startedAt: number;
  running: boolean;
  isError: boolean;
}

export interface Notice {
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** Everything the progress comment and the job summary show. Built only by `reduce`. */
export interface RunState {
  status: RunStatus;
  endReason: RunEndReason | null;
  /** The model answering now (changes after a fallback). */
  model: string | null;
  startedAt: number | null;
  /** Set by run_end. */
  durationMs: number | null;
  /** Turns started so far (run_end's count once ended). */
  turnCount: number;
  turns: TurnRecord[];
  usage: Usage;
  costUsd: number;
  /** True when some turn's model had no known price (its cost counted 0). */
  unpriced: boolean;
  tasks: TaskView[];
  jobs: JobView[];
  activity: Activity | null;
  /** The most recent notices, oldest first, at most MAX_NOTICES. */
  notices: Notice[];
  /** The model's final summary, from run_end. */
  summary: string | null;
  error: string | null;
  /** How the work was handed back; set after the run ends. */
  delivery: DeliveryView | null;
}

export const MAX_NOTICES = 5;

export function initialRunState(): RunState {
  return {
    status: 'working',
    endReason: null,
    model: null,
    startedAt: null,
    durationMs: null,
    turnCount: 0,
    turns: [],
    usage: emptyUsage(),
    costUsd: 0,
    unpriced: false,
    tasks: [],
    jobs: [],
    activity: null,
    notices: [],
    summary: null,
    error: null,
    delivery: null,
  };
}

/** The status a run end reason shows. A turn limit counts as a budget. */
export function statusForEndReason(reason: RunEndReason): RunStatus {
  switch (reason) {
    case 'done':
      return 'done';
    case 'max_turns':
    case 'budget':
      return 'budget';
    case 'deadline':
      return 'timed_out';
    case 'aborted':
      return 'cancelled';
    case 'error':
      return 'failed';
  }
}

/** The `conclusion` output for a status. A run that never ended counts as a failure. */
export function conclusionFor(status: RunStatus): Conclusion {
  switch (status) {
    case 'done':
      return 'success';
    case 'cancelled':
      return 'cancelled';
    case 'timed_out':
      return 'timed_out';
    case 'budget':
      return 'budget_exhausted';
    case 'failed':
    case 'working':
      return 'failure';
  }
}

function withNotice(notices: Notice[], notice: Notice): Notice[] {
  return [...notices, notice].slice(-MAX_NOTICES);
}

function upsertTurn(turns: TurnRecord[], turn: number, patch: Partial<TurnRecord>): TurnRecord[] {
  const index = turns.findIndex((t) => t.turn === turn);
  if (index === -1) {
    const fresh: TurnRecord = {
      turn,
      startedAt: null,
      durationMs: null,
      usage: emptyUsage(),
      costUsd: 0,
      toolCalls: [],
      model: null,
      ...patch,
    };
    return [...turns, fresh];
  }
  return turns.map((t, i) => (i === index ? { ...t, ...patch } : t));
}

/** Applies one event. Pure: never mutates `state`. */
export function reduce(state: RunState, event: AgentEvent): RunState {
  switch (event.type) {
    case 'run_start':
      return { ...state, model: event.model, startedAt: event.at };
    case 'turn_start':
      return {
        ...state,
        turnCount: Math.max(state.turnCount, event.turn),
        turns: upsertTurn(state.turns, event.turn, { startedAt: event.at }),
      };
    case 'assistant_text':
      return state;
    case 'turn_end':
      return {
        ...state,
        model: event.model,
        usage: addUsage(state.usage, event.usage),
        costUsd: state.costUsd + event.costUsd,
        unpriced: state.unpriced || !event.priced,
        turns: upsertTurn(state.turns, event.turn, {
          durationMs: event.durationMs,
          usage: event.usage,
          costUsd: event.costUsd,
          toolCalls: event.toolCalls,
          model: event.model,
        }),
      };
    case 'tool_start':
      return {
        ...state,
        activity: {
          id: event.id,
          turn: event.turn,
          tool: event.name,
          preview: event.preview,
          startedAt: event.at,
          running: true,
          isError: false,
        },
      };
    case 'tool_end':
      return state.activity?.id === event.id
        ? { ...state, activity: { ...state.activity, running: false, isError: event.isError } }
        : state;
    case 'notice':
      return { ...state, notices: withNotice(state.notices, { level: event.level, message: event.message }) };
    case 'model_fallback':
      return {
        ...state,
        model: event.to,
        notices: withNotice(state.notices, {
          level: 'warning',
          message: `Switched from ${event.from} to ${event.to}: ${event.reason}`,
        }),
      };
    case 'task':
      return { ...state, tasks: event.tasks };
    case 'delivery':
      return { ...state, delivery: event.delivery };
    case 'job': {
      const exists = state.jobs.some((j) => j.id === event.job.id);
      return {
        ...state,
        jobs: exists
          ? state.jobs.map((j) => (j.id === event.job.id ? event.job : j))
          : [...state.jobs, event.job],
      };
    }
    case 'run_end':
      return {
        ...state,
        status: statusForEndReason(event.reason),
        endReason: event.reason,
        summary: event.summary.trim() === '' ? null : event.summary,
        error: event.error ?? null,
        turnCount: event.turns,
        usage: event.usage,
        costUsd: event.costUsd,
        durationMs: event.durationMs,
        activity: state.activity ? { ...state.activity, running: false } : null,
      };
  }
}

/**
 * Ends a run that got no run_end (signal, crash): sets `status` and stops the activity.
 * A state that already ended keeps its status.
 */
export function endRun(state: RunState, status: Exclude<RunStatus, 'working'>, error?: string): RunState {
  if (state.status !== 'working') return state;
  return {
    ...state,
    status,
    error: error ?? state.error,
    activity: state.activity ? { ...state.activity, running: false } : null,
  };
}

export function taskCounts(state: Pick<RunState, 'tasks'>): { completed: number; total: number } {
  return { completed: state.tasks.filter((t) => t.status === 'completed').length, total: state.tasks.length };
}
