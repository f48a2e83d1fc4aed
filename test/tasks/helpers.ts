import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskIndex } from '../../src/tasks/task-store.js';
import type { Task } from '../../src/tasks/task.js';

export const T0 = '2026-11-24T10:00:00.000Z';
export const T1 = '2026-11-24T10:05:00.000Z';

/** A valid task; `owner` defaults to "agent" for in_progress, completed and failed tasks. */
export function task(
  id: string,
  status: Task['status'] = 'pending',
  blockedBy: string[] = [],
  owner?: string,
): Task {
  const t: Task = {
    id,
    subject: `Subject of ${id}`,
    description: '',
    status,
    owner: status === 'pending' ? null : (owner ?? 'agent'),
    blockedBy,
    createdAt: T0,
    updatedAt: T0,
  };
  if (status === 'failed') t.result = `why ${id} failed`;
  return t;
}

export function board(tasks: Task[], corruptIds: string[] = []): TaskIndex {
  const index = new TaskIndex();
  for (const t of tasks) index.set(t);
  for (const id of corruptIds) index.setCorrupt({ file: `${id}.json`, id, error: 'bad' });
  return index;
}

/** A fresh real directory (symlinks resolved) removed by the returned cleanup. */
export function tempWorkspace(prefix = 'taskpilot-tasks-'): { root: string; cleanup: () => void } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
