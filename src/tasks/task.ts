import { z } from 'zod';
import type { TaskView } from '../agent/events.js';

/**
 * The stored shape of a task: one JSON file per task, `<id>.json` in the tasks directory.
 * This schema is the single source of the type; every read and every write is validated against it.
 */

export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** `t1`, `t2`, …: short, readable, allocated in order and never renamed. */
export const TASK_ID_PATTERN = /^t[1-9][0-9]*$/;
export const TaskIdSchema = z.string().regex(TASK_ID_PATTERN, 'a task id looks like t1, t2, t3');

export const SUBJECT_MAX = 200;
export const DESCRIPTION_MAX = 10_000;
export const RESULT_MAX = 10_000;

/**
 * Unknown keys are refused (`strict`): a hand-edited file with a misspelt field is reported as
 * corrupt rather than silently losing the field on the next write.
 */
export const TaskSchema = z
  .strictObject({
    id: TaskIdSchema,
    subject: z.string().trim().min(1).max(SUBJECT_MAX),
    description: z.string().max(DESCRIPTION_MAX),
    status: TaskStatusSchema,
    /** Who claimed the task; null until claimed and again after a release. */
    owner: z.string().min(1).nullable(),
    /** Ids of the tasks that must be completed before this one can start. No duplicates, not itself. */
    blockedBy: z.array(TaskIdSchema),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    /** What came of the task: set by complete (optional note) and by fail (the reason, required). */
    result: z.string().max(RESULT_MAX).optional(),
  })
  .superRefine((task, ctx) => {
    if (task.blockedBy.includes(task.id)) {
      ctx.addIssue({ code: 'custom', path: ['blockedBy'], message: `${task.id} cannot block itself` });
    }
    if (new Set(task.blockedBy).size !== task.blockedBy.length) {
      ctx.addIssue({ code: 'custom', path: ['blockedBy'], message: 'blockedBy lists an id twice' });
    }
    if (task.status === 'in_progress' && task.owner === null) {
      ctx.addIssue({ code: 'custom', path: ['owner'], message: 'an in_progress task has an owner' });
    }
    if (task.status === 'pending' && task.owner !== null) {
      ctx.addIssue({ code: 'custom', path: ['owner'], message: 'a pending task has no owner' });
    }
    if (task.status === 'failed' && task.result === undefined) {
      ctx.addIssue({ code: 'custom', path: ['result'], message: 'a failed task records why in result' });
    }
  });

export type Task = z.infer<typeof TaskSchema>;

/** The numeric part of a task id (`t12` → 12), or undefined for anything that is not a task id. */
export function taskIdNumber(id: string): number | undefined {
  return TASK_ID_PATTERN.test(id) ? Number(id.slice(1)) : undefined;
}

/** Orders ids as the board shows them: t2 before t10. */
export function compareTaskIds(a: string, b: string): number {
  return (
    (taskIdNumber(a) ?? Number.MAX_SAFE_INTEGER) - (taskIdNumber(b) ?? Number.MAX_SAFE_INTEGER) ||
    (a < b ? -1 : a > b ? 1 : 0)
  );
}

/** One line per zod issue, `path: message`, for reports that name a corrupt file. */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses the content of `<id>.json`: valid JSON, valid against the schema, and the id it is named after. */
export function parseTaskFile(
  text: string,
  id: string,
): { ok: true; task: Task } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const result = TaskSchema.safeParse(json);
  if (!result.success) return { ok: false, error: describeSchemaError(result.error) };
  if (result.data.id !== id)
    return { ok: false, error: `its id ${result.data.id} does not match the file name` };
  return { ok: true, task: result.data };
}

/** What reporters see of a task (the `task` event's payload). */
export function toTaskView(task: Task): TaskView {
  const view: TaskView = {
    id: task.id,
    subject: task.subject,
    status: task.status,
    owner: task.owner,
    blockedBy: [...task.blockedBy],
  };
  if (task.result !== undefined) view.result = task.result;
  return view;
}
