import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  acquireLock,
  isAlreadyExists,
  LockTimeoutError,
  removeStaleTemporaries,
  writeFileAtomic,
} from './atomic-fs.js';
import {
  blockersOf,
  claimTask,
  completeTask,
  createTask,
  failTask,
  releaseTask,
  requireTask,
  TaskRuleError,
  updateTask,
  type Blocker,
  type NewTask,
  type TaskPatch,
} from './task-board.js';
import { TaskFileIndex } from './task-file-index.js';
import {
  TaskStoreError,
  type TaskIndex,
  type BoardSnapshot,
  type TaskAction,
  type TaskChange,
  type TaskDetail,
  type TaskStore,
} from './task-store.js';
import { compareTaskIds, describeSchemaError, TaskSchema, type Task } from './task.js';
import { prepareTasksDir } from './tasks-dir.js';

export { RACY_WINDOW_MS } from './task-file-index.js';

export interface JsonTaskStoreOptions {
  /** Absolute path of the tasks directory (e.g. `<workspace>/.tasks`). Created when missing. */
  dir: string;
  /** When given, `dir` must resolve (symlinks included) strictly inside it. */
  workspaceRoot?: string | undefined;
  /** Add the directory to `.git/info/exclude` when it is inside a git work tree. Default true. */
  gitExclude?: boolean | undefined;
  /** How long a change waits for another process's lock. Default 10 s. */
  lockTimeoutMs?: number | undefined;
  /** A lock (or a temporary file) older than this is presumed abandoned. Default 30 s. */
  staleLockMs?: number | undefined;
  now?: (() => Date) | undefined;
  /** Test seam (crash simulation): runs between the fsync of a temporary file and its rename. */
  beforeRename?: ((tmpPath: string, path: string) => void) | undefined;
}

/**
 * Coordination files live in a subdirectory, so taking and releasing the lock leaves the tasks
 * directory's mtime alone: that mtime changes only when task files come, go or are replaced.
 */
const META_DIR = '.board';
const LOCK_FILE = join(META_DIR, 'lock');
const GENERATION_FILE = join(META_DIR, 'generation');
const DEFAULT_STALE_MS = 30_000;

/**
 * The board as one JSON file per task (`t1.json`, …). Safe for several processes at once: every
 * change takes a lock file, rereads what it decides on, and writes atomically (tmp, fsync, rename).
 *
 * Freshness (see TaskFileIndex): `list` rescans the directory, so hand edits show up there; other
 * calls check cheaply for other writers and always reread the tasks they decide on, so a change by
 * another process is never missed. File I/O is synchronous (small files, short critical sections).
 */
export class JsonTaskStore implements TaskStore {
  private readonly files: TaskFileIndex;
  private readonly index: TaskIndex;

  private constructor(
    readonly dir: string,
    private readonly options: JsonTaskStoreOptions,
  ) {
    this.files = new TaskFileIndex(dir, join(dir, GENERATION_FILE));
    this.index = this.files.index;
  }

  /**
   * Creates the directory, excludes it from git (unless disabled), removes temporary files that
   * crashed writers left (older than `staleLockMs`) and loads the board.
   */
  static open(options: JsonTaskStoreOptions): JsonTaskStore {
    const dir = prepareTasksDir(options);
    mkdirSync(join(dir, META_DIR), { recursive: true });
    removeStaleTemporaries(dir, options.staleLockMs ?? DEFAULT_STALE_MS);
    const store = new JsonTaskStore(dir, options);
    store.files.sweep();
    return store;
  }

  list(): Promise<BoardSnapshot> {
    return attempt(() => {
      this.files.sweep();
      const tasks = this.index.all();
      const blockers = new Map<string, Blocker[]>();
      for (const task of tasks) {
        if (task.blockedBy.length === 0) continue;
        const unmet = blockersOf(this.index, task);
        if (unmet.length > 0) blockers.set(task.id, unmet);
      }
      return { tasks, corrupt: this.index.corruptFiles(), blockers };
    });
  }

  get(id: string): Promise<TaskDetail> {
    return attempt(() => {
      this.files.quickCheck();
      this.files.reload(id);
      const task = requireTask(this.index, id);
      for (const dep of task.blockedBy) this.files.reload(dep);
      const dependents = [...this.index.dependentsOf(id)].sort(compareTaskIds);
      return { task, blockers: blockersOf(this.index, task), dependents };
    });
  }

  create(input: NewTask): Promise<TaskChange> {
    return this.change('created', () => {
      for (const dep of input.blockedBy ?? []) this.files.reload(dep);
      for (let tries = 1; ; tries++) {
        const task = createTask(this.index, `t${this.files.highestId + 1}`, input, this.now());
        try {
          return { task: this.write(task, true) };
        } catch (error) {
          // Taken by a file this index has not seen (written by hand, without the lock).
          if (!isAlreadyExists(error) || tries >= 10) throw error;
          this.files.sweep();
        }
      }
    });
  }

  claim(id: string, owner: string): Promise<TaskChange> {
    return this.change('claimed', () => {
      this.files.reload(id);
      for (const dep of this.index.get(id)?.blockedBy ?? []) this.files.reload(dep);
      return { task: this.write(claimTask(this.index, id, owner, this.now())) };
    });
  }

  complete(id: string, owner: string, result?: string): Promise<TaskChange> {
    return this.change('completed', () => {
      this.files.reload(id);
      const outcome = completeTask(this.index, id, owner, this.now(), result);
      return { task: this.write(outcome.task), unblocked: outcome.unblocked };
    });
  }

  fail(id: string, owner: string, reason: string): Promise<TaskChange> {
    return this.change('failed', () => {
      this.files.reload(id);
      const outcome = failTask(this.index, id, owner, this.now(), reason);
      return { task: this.write(outcome.task), blocked: outcome.blocked };
    });
  }

  release(id: string): Promise<TaskChange> {
    return this.change('released', () => {
      this.files.reload(id);
      return { task: this.write(releaseTask(this.index, id, this.now())) };
    });
  }

  update(id: string, patch: TaskPatch): Promise<TaskChange> {
    return this.change('updated', () => {
      this.files.reload(id);
      for (const dep of patch.blockedBy ?? []) this.files.reload(dep);
      return { task: this.write(updateTask(this.index, id, patch, this.now())) };
    });
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  /** Runs `apply` under the board lock against a fresh index, then publishes a new generation. */
  private async change(
    action: TaskAction,
    apply: () => { task: Task; unblocked?: Task[]; blocked?: Task[] },
  ): Promise<TaskChange> {
    const lockPath = join(this.dir, LOCK_FILE);
    let lock;
    try {
      lock = await acquireLock(lockPath, {
        timeoutMs: this.options.lockTimeoutMs,
        staleMs: this.options.staleLockMs ?? DEFAULT_STALE_MS,
      });
    } catch (error) {
      if (!(error instanceof LockTimeoutError)) throw error;
      throw new TaskStoreError(`The task board is busy (locked by ${error.holder}); try again.`, 'busy');
    }
    try {
      this.files.quickCheck();
      const outcome = apply();
      this.files.publish();
      return { action, unblocked: [], blocked: [], ...outcome, tasks: this.index.all() };
    } catch (error) {
      throw asRuleError(error);
    } finally {
      lock.release();
    }
  }

  /** Validates, writes atomically and indexes `task`. Exclusive: fails with EEXIST if taken. */
  private write(task: Task, exclusive = false): Task {
    const valid = TaskSchema.parse(task);
    const file = `${valid.id}.json`;
    const path = join(this.dir, file);
    writeFileAtomic(path, `${JSON.stringify(valid, null, 2)}\n`, {
      exclusive,
      ...(this.options.beforeRename ? { beforeRename: this.options.beforeRename } : {}),
    });
    this.files.adopt(valid);
    return valid;
  }
}

/** Opens the store at `options.dir`; see JsonTaskStore. Throws TaskStoreError for a bad directory. */
export function openJsonTaskStore(options: JsonTaskStoreOptions): JsonTaskStore {
  return JsonTaskStore.open(options);
}

function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(asRuleError(error));
  }
}

/** A task that fails the schema on write is the caller's input: say what is wrong. */
function asRuleError(error: unknown): Error {
  if (error instanceof z.ZodError) {
    return new TaskRuleError(`Invalid task: ${describeSchemaError(error)}.`, 'invalid_input');
  }
  return error instanceof Error ? error : new Error(String(error));
}
