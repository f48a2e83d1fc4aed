import type { Blocker, BoardView, NewTask, TaskPatch } from './task-board.js';
import { compareTaskIds, type Task } from './task.js';

/**
 * The task store port: what the tools (and reporters) need from a board, whatever keeps it.
 * Rule violations are thrown as TaskRuleError (see task-board.ts); store failures the model can
 * only retry, as TaskStoreError.
 */

export type TaskAction = 'created' | 'updated' | 'claimed' | 'completed' | 'failed' | 'released';

/** A `.json` file in the tasks directory that fails the schema. Reported, never dropped or overwritten. */
export interface CorruptTaskFile {
  /** The file name, e.g. `t7.json`. */
  file: string;
  /** The task id the name stands for, when the name is a task id. */
  id?: string;
  /** What is wrong, for a human: `status: Invalid option …`. */
  error: string;
}

export interface BoardSnapshot {
  /** Every readable task, in id order (t2 before t10). */
  tasks: Task[];
  corrupt: CorruptTaskFile[];
  /** Unmet dependencies of each task that has any. */
  blockers: ReadonlyMap<string, Blocker[]>;
}

export interface TaskDetail {
  task: Task;
  blockers: Blocker[];
  /** Ids of the tasks waiting on this one. */
  dependents: string[];
}

/** The outcome of one change, with the whole board after it (what a `task` event carries). */
export interface TaskChange {
  action: TaskAction;
  task: Task;
  /** complete: the pending tasks this completion made startable. Empty otherwise. */
  unblocked: Task[];
  /** fail: the pending tasks now blocked by this failure. Empty otherwise. */
  blocked: Task[];
  tasks: Task[];
}

export interface TaskStore {
  /** Rereads what changed on disk, so files edited by hand show up (and corrupt ones are named). */
  list(): Promise<BoardSnapshot>;
  get(id: string): Promise<TaskDetail>;
  create(input: NewTask): Promise<TaskChange>;
  claim(id: string, owner: string): Promise<TaskChange>;
  /** Only by the owner of the in_progress task. */
  complete(id: string, owner: string, result?: string): Promise<TaskChange>;
  /** By the owner of an in_progress task, or by anyone for a pending task. */
  fail(id: string, owner: string, reason: string): Promise<TaskChange>;
  release(id: string): Promise<TaskChange>;
  update(id: string, patch: TaskPatch): Promise<TaskChange>;
}

export type TaskStoreErrorCode = 'outside_workspace' | 'invalid_dir' | 'busy';

/** The store cannot serve the request (a bad tasks directory, or a board locked for too long). */
export class TaskStoreError extends Error {
  override readonly name = 'TaskStoreError';
  constructor(
    message: string,
    readonly code: TaskStoreErrorCode,
  ) {
    super(message);
  }
}

/**
 * An in-memory board: tasks by id, the reverse dependency edges, and the corrupt files.
 * Keeps lookups O(1) and the unblocked report proportional to the number of dependents.
 */
export class TaskIndex implements BoardView {
  private readonly tasks = new Map<string, Task>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly corrupt = new Map<string, CorruptTaskFile>();
  private ordered: string[] | undefined;

  get size(): number {
    return this.tasks.size;
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  isCorrupt(id: string): boolean {
    return this.corrupt.has(`${id}.json`);
  }

  dependentsOf(id: string): Iterable<string> {
    return this.dependents.get(id) ?? [];
  }

  /** Every task, in id order. */
  all(): Task[] {
    this.ordered ??= [...this.tasks.keys()].sort(compareTaskIds);
    return this.ordered.map((id) => this.tasks.get(id) as Task);
  }

  corruptFiles(): CorruptTaskFile[] {
    return [...this.corrupt.values()].sort((a, b) => compareTaskIds(a.id ?? a.file, b.id ?? b.file));
  }

  set(task: Task): void {
    const previous = this.tasks.get(task.id);
    if (previous === undefined) this.ordered = undefined;
    else this.unlinkEdges(previous);
    this.tasks.set(task.id, task);
    for (const dep of task.blockedBy) {
      let set = this.dependents.get(dep);
      if (set === undefined) this.dependents.set(dep, (set = new Set()));
      set.add(task.id);
    }
  }

  delete(id: string): void {
    const previous = this.tasks.get(id);
    if (previous === undefined) return;
    this.unlinkEdges(previous);
    this.tasks.delete(id);
    this.ordered = undefined;
  }

  setCorrupt(entry: CorruptTaskFile): void {
    this.corrupt.set(entry.file, entry);
  }

  clearCorrupt(file: string): void {
    this.corrupt.delete(file);
  }

  private unlinkEdges(task: Task): void {
    for (const dep of task.blockedBy) {
      const set = this.dependents.get(dep);
      set?.delete(task.id);
      if (set?.size === 0) this.dependents.delete(dep);
    }
  }
}
