import { z } from 'zod';
import type { EventSink } from '../agent/events.js';
import { describeBlockers, TaskRuleError, type Blocker } from '../tasks/task-board.js';
import { TaskStoreError, type BoardSnapshot, type TaskChange, type TaskStore } from '../tasks/task-store.js';
import {
  DESCRIPTION_MAX,
  RESULT_MAX,
  SUBJECT_MAX,
  TaskIdSchema,
  toTaskView,
  type Task,
} from '../tasks/task.js';
import { defineTool, ToolError, type AnyTool } from './tool.js';

export interface TaskToolsDeps {
  store: TaskStore;
  /** Receives a `task` event, with the whole board, after every change. */
  emit: EventSink;
  /** Who claims and finishes tasks: the agent's name, e.g. "taskpilot". */
  owner: string;
}

const STATUS_ICON: Record<Task['status'], string> = {
  pending: '○',
  in_progress: '●',
  completed: '✓',
  failed: '✗',
};

const taskId = TaskIdSchema.describe('Task id, e.g. t3.');
const byId = z.object({ task_id: taskId });
const blockedBy = z
  .array(TaskIdSchema)
  .max(50)
  .describe('Ids of the tasks that must be completed before this one can start.');
const subject = z
  .string()
  .trim()
  .min(1)
  .max(SUBJECT_MAX)
  .regex(/^[^\r\n]*$/, 'the subject is one line; put details in the description')
  .describe('One line: what will be done.');
const description = z
  .string()
  .max(DESCRIPTION_MAX)
  .describe('Details: how, where, and how to check it is done.');

/** One line per task: icon, id, subject, owner, and what blocks it (or that it is ready). */
export function formatTaskLine(task: Task, blockers: readonly Blocker[] | undefined): string {
  let line = `${STATUS_ICON[task.status]} ${task.id} ${task.subject}`;
  if (task.owner !== null && task.status !== 'pending') line += ` [${task.owner}]`;
  if (task.status === 'failed') line += ` — failed: ${firstLine(task.result ?? '')}`;
  if (task.status === 'pending') {
    if (blockers === undefined || blockers.length === 0) line += ' — ready';
    else if (blockers.some((b) => b.reason === 'failed')) line += ` — blocked by a failure: ${ids(blockers)}`;
    else line += ` — blocked by ${ids(blockers)}`;
  }
  return line;
}

/** The compact board: a count line, one line per task, then the corrupt files by name. */
export function formatBoard(snapshot: BoardSnapshot): string {
  const { tasks, corrupt } = snapshot;
  if (tasks.length === 0 && corrupt.length === 0) {
    return 'The board is empty. Plan multi-step work with create_task.';
  }
  const count = (status: Task['status']): number => tasks.filter((t) => t.status === status).length;
  const ready = tasks.filter((t) => t.status === 'pending' && !snapshot.blockers.has(t.id)).length;
  const lines = [
    `${count('completed')}/${tasks.length} completed, ${count('in_progress')} in progress, ${ready} ready, ` +
      `${count('pending') - ready} blocked, ${count('failed')} failed.`,
  ];
  for (const task of tasks) lines.push(formatTaskLine(task, snapshot.blockers.get(task.id)));
  for (const file of corrupt) {
    lines.push(
      `! ${file.file} is corrupt and ignored: ${file.error}. Ask for it to be fixed; do not recreate it.`,
    );
  }
  return lines.join('\n');
}

/**
 * The task tools: the agent's plan as a board of tasks with dependencies, kept in the workspace.
 * Rule violations come back as ToolErrors that name the fix; every change emits a `task` event.
 */
export function createTaskTools(deps: TaskToolsDeps): AnyTool[] {
  const { store, emit, owner } = deps;

  const changed = (change: TaskChange): Task => {
    emit({
      type: 'task',
      action: change.action,
      task: toTaskView(change.task),
      tasks: change.tasks.map(toTaskView),
    });
    return change.task;
  };

  return [
    defineTool({
      name: 'create_task',
      description: [
        'Add a task to the board. For work with more than two steps, plan it here first: one task per step,',
        'with blockedBy naming the tasks that must be completed before it. The board is shown to the user as',
        'your checklist and a later run resumes from it, so keep it current. Returns the new id (t1, t2, …).',
      ].join('\n'),
      input: z.object({ subject, description: description.optional(), blockedBy: blockedBy.optional() }),
      preview: (input) => input.subject,
      execute: (input) =>
        guard(async () => {
          const task = changed(await store.create(input));
          const deps = task.blockedBy.length > 0 ? ` (blocked by ${task.blockedBy.join(', ')})` : '';
          return `Created ${task.id}: ${task.subject}${deps}.`;
        }),
    }),
    defineTool({
      name: 'list_tasks',
      description: [
        'Show the board, one line per task: ○ pending, ● in progress, ✓ completed, ✗ failed; the owner in',
        'brackets; "ready" or what blocks it. Check it before picking the next task.',
      ].join('\n'),
      input: z.object({}),
      preview: () => 'board',
      execute: () => guard(async () => formatBoard(await store.list())),
    }),
    defineTool({
      name: 'get_task',
      description: 'Show one task in full: description, status, owner, dependencies, result and dependents.',
      input: byId,
      preview: (input) => input.task_id,
      execute: (input) =>
        guard(async () => {
          const { task, blockers, dependents } = await store.get(input.task_id);
          const lines = [
            `${task.id}: ${task.subject}`,
            `status: ${task.status}${task.owner !== null ? ` (owner ${task.owner})` : ''}`,
            `blockedBy: ${task.blockedBy.length > 0 ? task.blockedBy.join(', ') : 'nothing'}`,
          ];
          if (blockers.length > 0) lines.push(`waiting on: ${describeBlockers(blockers)}`);
          if (dependents.length > 0) lines.push(`needed by: ${dependents.join(', ')}`);
          if (task.result !== undefined) lines.push(`result: ${task.result}`);
          if (task.description !== '') lines.push('', task.description);
          return lines.join('\n');
        }),
    }),
    defineTool({
      name: 'claim_task',
      description:
        'Start a task: it must be pending with all its blockedBy tasks completed. Claim before working on it.',
      input: byId,
      preview: (input) => input.task_id,
      execute: (input) =>
        guard(async () => {
          const task = changed(await store.claim(input.task_id, owner));
          return `Claimed ${task.id}: ${task.subject}. When it is done call complete_task; if it cannot be done, fail_task.`;
        }),
    }),
    defineTool({
      name: 'complete_task',
      description:
        'Mark your in-progress task completed, as soon as it is done and checked. Answers with the tasks this unblocked.',
      input: byId.extend({
        result: z.string().max(RESULT_MAX).optional().describe('Optional note: what was done or found.'),
      }),
      preview: (input) => input.task_id,
      execute: (input) =>
        guard(async () => {
          const change = await store.complete(input.task_id, owner, input.result);
          const task = changed(change);
          const next =
            change.unblocked.length > 0
              ? `Unblocked: ${change.unblocked.map((t) => `${t.id} (${t.subject})`).join(', ')}.`
              : 'No task was unblocked by this.';
          return `Completed ${task.id}: ${task.subject}.\n${next}`;
        }),
    }),
    defineTool({
      name: 'fail_task',
      description:
        'Mark a task failed, saying why, when it cannot be done. Tasks that depend on it are then blocked by a failure.',
      input: byId.extend({ reason: z.string().trim().min(1).max(RESULT_MAX).describe('Why it failed.') }),
      preview: (input) => input.task_id,
      execute: (input) =>
        guard(async () => {
          const change = await store.fail(input.task_id, owner, input.reason);
          const task = changed(change);
          const after =
            change.blocked.length > 0
              ? `\nNow blocked by this failure: ${change.blocked.map((t) => t.id).join(', ')}. ` +
                'Change their blockedBy with update_task, create a replacement task, or fail them too.'
              : '';
          return `Marked ${task.id} failed: ${input.reason}${after}`;
        }),
    }),
    defineTool({
      name: 'release_task',
      description: 'Give up an in-progress task without failing it: it goes back to pending, unowned.',
      input: byId,
      preview: (input) => input.task_id,
      execute: (input) =>
        guard(async () => {
          const task = changed(await store.release(input.task_id));
          return `Released ${task.id}: it is pending again.`;
        }),
    }),
    defineTool({
      name: 'update_task',
      description: [
        'Change the subject, the description or blockedBy of a task, to keep the plan current.',
        'blockedBy replaces the whole list and can change only while the task is pending.',
      ].join('\n'),
      input: byId.extend({
        subject: subject.optional(),
        description: description.optional(),
        blockedBy: blockedBy.optional(),
      }),
      preview: (input) => input.task_id,
      execute: ({ task_id, ...patch }) =>
        guard(async () => {
          const task = changed(await store.update(task_id, patch));
          const deps = task.blockedBy.length > 0 ? task.blockedBy.join(', ') : 'nothing';
          return `Updated ${task.id}: ${task.subject} (blocked by ${deps}).`;
        }),
    }),
  ];
}

/** Rule violations and a busy board go back to the model; anything else is a bug. */
async function guard(run: () => Promise<string>): Promise<string> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TaskRuleError || error instanceof TaskStoreError) throw new ToolError(error.message);
    throw error;
  }
}

const ids = (blockers: readonly Blocker[]): string => blockers.map((b) => `${b.id} (${b.reason})`).join(', ');

const firstLine = (text: string): string => {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
};
