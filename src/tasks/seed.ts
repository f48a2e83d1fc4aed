import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-fs.js';
import { TaskSchema, type Task } from './task.js';

/**
 * Writes a board restored from an earlier run into the tasks directory, one file per task, in
 * the store's format. Only into a directory with no task files: a board already on disk (a
 * checked-in one, or the agent's own) wins, and nothing is overwritten. Returns how many tasks
 * were written. Throws when a task fails the schema.
 */
export function seedTasks(dir: string, tasks: readonly Task[]): number {
  mkdirSync(dir, { recursive: true });
  const existing = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  if (existing.length > 0 || tasks.length === 0) return 0;
  for (const task of tasks) {
    const valid = TaskSchema.parse(task);
    writeFileAtomic(path.join(dir, `${valid.id}.json`), `${JSON.stringify(valid, null, 2)}\n`);
  }
  return tasks.length;
}
