import { compareTaskIds, type Task, type TaskStatus } from './task.js';

/**
 * The board's rules, as pure functions over a read-only view of the board. They never touch the
 * disk and never mutate a task: each returns the next version of the task (and what the change
 * means for the others), or throws a TaskRuleError whose message tells the model what to do instead.
 */

export type TaskRuleCode =
  | 'not_found'
  | 'corrupt'
  | 'wrong_status'
  | 'blocked'
  | 'not_owner'
  | 'cycle'
  | 'unknown_dependency'
  | 'invalid_input';

/** A request the rules refuse. The message is written for the model and names the fix. */
export class TaskRuleError extends Error {
  override readonly name = 'TaskRuleError';
  constructor(
    message: string,
    readonly code: TaskRuleCode,
    readonly taskId?: string,
  ) {
    super(message);
  }
}

function refuse(taskId: string, code: TaskRuleCode, message: string): never {
  throw new TaskRuleError(message, code, taskId);
}

/** What the rules need to know about the rest of the board. */
export interface BoardView {
  get(id: string): Task | undefined;
  /** True when `<id>.json` exists but fails the schema: it counts as present and never done. */
  isCorrupt(id: string): boolean;
  /** Ids of the tasks whose `blockedBy` lists `id`. */
  dependentsOf(id: string): Iterable<string>;
}

export type BlockerReason = 'missing' | 'corrupt' | Exclude<TaskStatus, 'completed'>;

/** An unmet dependency of a task. */
export interface Blocker {
  id: string;
  reason: BlockerReason;
  /** The failure note when `reason` is `failed`. */
  result?: string;
}

/** The dependencies of `task` that are not completed. A missing or corrupt dependency blocks. */
export function blockersOf(board: BoardView, task: Task): Blocker[] {
  const blockers: Blocker[] = [];
  for (const id of task.blockedBy) {
    const dep = board.get(id);
    if (dep === undefined) blockers.push({ id, reason: board.isCorrupt(id) ? 'corrupt' : 'missing' });
    else if (dep.status === 'failed') blockers.push({ id, reason: 'failed', result: dep.result ?? '' });
    else if (dep.status !== 'completed') blockers.push({ id, reason: dep.status });
  }
  return blockers;
}

/** The design's `can_start`: every `blockedBy` id exists and is completed. */
export function canStart(board: BoardView, task: Task): boolean {
  return blockersOf(board, task).length === 0;
}

/** `t1 (in_progress), t4 (failed: tests red), t9 (missing)`. */
export function describeBlockers(blockers: readonly Blocker[]): string {
  return blockers
    .map((b) =>
      b.reason === 'failed' && b.result ? `${b.id} (failed: ${b.result})` : `${b.id} (${b.reason})`,
    )
    .join(', ');
}

/**
 * The cycle `task` would close if its `blockedBy` became `blockedBy`, as a path from the task back
 * to itself (`['t1', 't3', 't1']`), or undefined. Iterative: safe on long chains.
 */
export function findCycle(
  board: BoardView,
  taskId: string,
  blockedBy: readonly string[],
): string[] | undefined {
  const parent = new Map<string, string>();
  const stack: string[] = [];
  for (const dep of blockedBy) {
    if (dep === taskId) return [taskId, taskId];
    if (!parent.has(dep)) {
      parent.set(dep, taskId);
      stack.push(dep);
    }
  }
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const next of board.get(id)?.blockedBy ?? []) {
      if (next === taskId) {
        const path = [taskId, id];
        for (let at = parent.get(id); at !== undefined && at !== taskId; at = parent.get(at)) path.push(at);
        return [taskId, ...path.slice(1).reverse(), taskId];
      }
      if (!parent.has(next)) {
        parent.set(next, id);
        stack.push(next);
      }
    }
  }
  return undefined;
}

/** The task `id`, or a TaskRuleError naming what to do: never undefined. */
export function requireTask(board: BoardView, id: string): Task {
  const task = board.get(id);
  if (task !== undefined) return task;
  if (board.isCorrupt(id)) {
    refuse(
      id,
      'corrupt',
      `Task file ${id}.json is corrupt and cannot be used. list_tasks shows why; ask for it to be fixed, or create a replacement task.`,
    );
  }
  refuse(id, 'not_found', `Task ${id} does not exist. Call list_tasks to see the board's ids.`);
}

function checkDependencies(board: BoardView, taskId: string, blockedBy: readonly string[]): string[] {
  const unique = [...new Set(blockedBy)];
  const unknown = unique.filter((id) => id !== taskId && board.get(id) === undefined && !board.isCorrupt(id));
  if (unknown.length > 0) {
    refuse(
      taskId,
      'unknown_dependency',
      `blockedBy lists ${unknown.join(', ')}, which ${unknown.length === 1 ? 'does' : 'do'} not exist. Create dependencies first and use the ids create_task returned.`,
    );
  }
  const cycle = findCycle(board, taskId, unique);
  if (cycle !== undefined) {
    refuse(
      taskId,
      'cycle',
      `That blockedBy would make a cycle (→ reads "waits for"): ${cycle.join(' → ')}. Remove one of these dependencies.`,
    );
  }
  return unique;
}

export interface NewTask {
  subject: string;
  description?: string | undefined;
  blockedBy?: readonly string[] | undefined;
}

/** A new pending task with the id the store allocated. Refuses unknown dependencies and cycles. */
export function createTask(board: BoardView, id: string, input: NewTask, now: string): Task {
  return {
    id,
    subject: input.subject,
    description: input.description ?? '',
    status: 'pending',
    owner: null,
    blockedBy: checkDependencies(board, id, input.blockedBy ?? []),
    createdAt: now,
    updatedAt: now,
  };
}

/** The design's `claim`: only a pending task whose dependencies are all completed. */
export function claimTask(board: BoardView, id: string, owner: string, now: string): Task {
  const task = requireTask(board, id);
  if (task.status === 'in_progress') {
    const who =
      task.owner === owner
        ? 'you already own it; work on it'
        : `${task.owner ?? '?'} owns it; pick another task`;
    refuse(id, 'wrong_status', `Task ${id} is already in_progress: ${who}.`);
  }
  if (task.status === 'completed') {
    refuse(id, 'wrong_status', `Task ${id} is already completed. Pick a pending task from list_tasks.`);
  }
  if (task.status === 'failed') {
    refuse(
      id,
      'wrong_status',
      `Task ${id} failed (${task.result ?? 'no reason'}). Create a new task to retry it.`,
    );
  }
  const blockers = blockersOf(board, task);
  if (blockers.length > 0) {
    const failed = blockers.some((b) => b.reason === 'failed');
    const advice = failed
      ? `It is blocked by a failure: drop or replace the failed dependency with update_task, or fail ${id} too.`
      : 'Complete those first, or change its blockedBy with update_task.';
    refuse(id, 'blocked', `Task ${id} is blocked by ${describeBlockers(blockers)}. ${advice}`);
  }
  return { ...task, status: 'in_progress', owner, updatedAt: now };
}

function requireOwnedInProgress(board: BoardView, id: string, actor: string, verb: string): Task {
  const task = requireTask(board, id);
  if (task.status === 'pending') {
    refuse(id, 'wrong_status', `Task ${id} is pending; claim it before ${verb}.`);
  }
  if (task.status !== 'in_progress') {
    refuse(id, 'wrong_status', `Task ${id} is already ${task.status}; nothing to do.`);
  }
  if (task.owner !== actor) {
    refuse(
      id,
      'not_owner',
      `Task ${id} is claimed by ${task.owner ?? '?'}; only its owner can finish it. Pick another task.`,
    );
  }
  return task;
}

function withTask(board: BoardView, changed: Task): BoardView {
  return {
    get: (id) => (id === changed.id ? changed : board.get(id)),
    isCorrupt: (id) => id !== changed.id && board.isCorrupt(id),
    dependentsOf: (id) => board.dependentsOf(id),
  };
}

function dependents(board: BoardView, id: string, keep: (task: Task) => boolean): Task[] {
  const found: Task[] = [];
  for (const depId of board.dependentsOf(id)) {
    const task = board.get(depId);
    if (task !== undefined && keep(task)) found.push(task);
  }
  return found.sort((a, b) => compareTaskIds(a.id, b.id));
}

export interface CompleteOutcome {
  task: Task;
  /** Pending tasks that this completion made startable. */
  unblocked: Task[];
}

/** The design's `complete`: only an in_progress task, by its owner. Reports what it unblocked. */
export function completeTask(
  board: BoardView,
  id: string,
  actor: string,
  now: string,
  result?: string,
): CompleteOutcome {
  const current = requireOwnedInProgress(board, id, actor, 'completing');
  const task: Task = { ...current, status: 'completed', updatedAt: now };
  if (result !== undefined && result.trim() !== '') task.result = result;
  const after = withTask(board, task);
  return { task, unblocked: dependents(after, id, (t) => t.status === 'pending' && canStart(after, t)) };
}

export interface FailOutcome {
  task: Task;
  /** Pending tasks that now wait on this failure. */
  blocked: Task[];
}

/** Records why a task failed. A pending task may fail too (found impossible before starting). */
export function failTask(
  board: BoardView,
  id: string,
  actor: string,
  now: string,
  reason: string,
): FailOutcome {
  if (reason.trim() === '') refuse(id, 'invalid_input', `Say why task ${id} failed.`);
  const current = requireTask(board, id);
  if (current.status !== 'pending') requireOwnedInProgress(board, id, actor, 'failing');
  const task: Task = {
    ...current,
    status: 'failed',
    owner: current.owner ?? actor,
    result: reason,
    updatedAt: now,
  };
  return { task, blocked: dependents(board, id, (t) => t.status === 'pending') };
}

/** Puts an in_progress task back to pending, unowned. Any agent may release (stale claims). */
export function releaseTask(board: BoardView, id: string, now: string): Task {
  const task = requireTask(board, id);
  if (task.status !== 'in_progress') {
    refuse(id, 'wrong_status', `Task ${id} is ${task.status}; only an in_progress task can be released.`);
  }
  return { ...task, status: 'pending', owner: null, updatedAt: now };
}

export interface TaskPatch {
  subject?: string | undefined;
  description?: string | undefined;
  blockedBy?: readonly string[] | undefined;
}

/**
 * Changes the subject, the description or the dependencies. Dependencies change only while the
 * task is pending; unknown ids and cycles are refused.
 */
export function updateTask(board: BoardView, id: string, patch: TaskPatch, now: string): Task {
  const task = requireTask(board, id);
  if (patch.subject === undefined && patch.description === undefined && patch.blockedBy === undefined) {
    refuse(id, 'invalid_input', 'Give a subject, a description or blockedBy to change.');
  }
  const next: Task = { ...task, updatedAt: now };
  if (patch.subject !== undefined) next.subject = patch.subject;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.blockedBy !== undefined) {
    if (task.status !== 'pending') {
      refuse(
        id,
        'wrong_status',
        `Task ${id} is ${task.status}; its blockedBy can change only while it is pending.`,
      );
    }
    next.blockedBy = checkDependencies(board, id, patch.blockedBy);
  }
  return next;
}
