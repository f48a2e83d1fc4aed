import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isNotFound } from './atomic-fs.js';
import { TaskIndex } from './task-store.js';
import { parseTaskFile, taskIdNumber, type Task } from './task.js';

/** Files changed this recently may change again within the filesystem's timestamp granularity. */
export const RACY_WINDOW_MS = 2_000;

type StatLike = Pick<Stats, 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

interface FileStamp extends StatLike {
  /** Reread on the next look even if the stat is unchanged. */
  racy: boolean;
}

const stampOf = (stat: StatLike, racy: boolean): FileStamp => ({
  ino: stat.ino,
  size: stat.size,
  mtimeMs: stat.mtimeMs,
  ctimeMs: stat.ctimeMs,
  racy,
});

const sameStat = (a: StatLike, b: StatLike): boolean =>
  a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

const isTaskFileName = (name: string): boolean => name.endsWith('.json') && !name.startsWith('.');

/**
 * The in-memory index of a tasks directory, kept in step with the files without rereading them all:
 *
 * - `sweep` stats every `*.json` file and rereads the new, changed (inode, size, mtime, ctime) and
 *   racy ones; it sees every change, hand edits in place included. About 50 ms at 10,000 tasks.
 * - `quickCheck` sweeps only when the generation token (rewritten by every writer, under the lock)
 *   or the directory's mtime (files added, removed or renamed) moved since this process last looked.
 *   It cannot see an in-place edit by hand: callers `reload` the files they act on.
 *
 * A file that fails the schema is indexed as corrupt under its name, never dropped.
 */
export class TaskFileIndex {
  readonly index = new TaskIndex();
  private readonly stamps = new Map<string, FileStamp>();
  private generation = '';
  private dirMtimeMs = -1;
  private changes = 0;
  private highest = 0;

  constructor(
    readonly dir: string,
    private readonly generationFile: string,
  ) {}

  /** The largest task number seen on disk (corrupt files included): the next id is one more. */
  get highestId(): number {
    return this.highest;
  }

  quickCheck(): void {
    if (this.readGeneration() !== this.generation || statSync(this.dir).mtimeMs !== this.dirMtimeMs) {
      this.sweep();
    }
  }

  sweep(): void {
    this.generation = this.readGeneration();
    this.dirMtimeMs = statSync(this.dir).mtimeMs;
    const names = new Set(readdirSync(this.dir).filter(isTaskFileName));
    for (const file of this.stamps.keys()) if (!names.has(file)) this.forget(file);
    for (const file of names) this.reloadFile(file);
  }

  /** Brings the task `id` up to date with its file. */
  reload(id: string): void {
    if (taskIdNumber(id) !== undefined) this.reloadFile(`${id}.json`);
  }

  /** Records a task this process has just written to `<dir>/<id>.json`. */
  adopt(task: Task): void {
    const file = `${task.id}.json`;
    this.stamps.set(file, stampOf(statSync(join(this.dir, file)), true));
    this.index.clearCorrupt(file);
    this.index.set(task);
    this.highest = Math.max(this.highest, taskIdNumber(task.id) ?? 0);
  }

  /**
   * Tells other processes that the board changed, and remembers the resulting directory state as
   * seen. Must be called under the board lock, after this process's writes.
   */
  publish(): void {
    this.generation = `${process.pid}-${++this.changes}-${randomBytes(6).toString('hex')}`;
    writeFileSync(this.generationFile, this.generation);
    this.dirMtimeMs = statSync(this.dir).mtimeMs;
  }

  private reloadFile(file: string): void {
    const path = join(this.dir, file);
    const id = file.slice(0, -'.json'.length);
    let parsed: ReturnType<typeof parseTaskFile>;
    try {
      const stat = statSync(path);
      const known = this.stamps.get(file);
      if (known !== undefined && !known.racy && sameStat(known, stat)) return;
      this.stamps.set(file, stampOf(stat, Date.now() - stat.mtimeMs < RACY_WINDOW_MS));
      parsed = parseTaskFile(readFileSync(path, 'utf8'), id);
    } catch (error) {
      if (isNotFound(error)) return this.forget(file);
      parsed = { ok: false, error: `unreadable (${error instanceof Error ? error.message : String(error)})` };
    }
    const idNumber = taskIdNumber(id);
    if (idNumber !== undefined) this.highest = Math.max(this.highest, idNumber);
    if (parsed.ok) {
      this.index.clearCorrupt(file);
      this.index.set(parsed.task);
    } else {
      this.index.delete(id);
      this.index.setCorrupt({ file, error: parsed.error, ...(idNumber !== undefined ? { id } : {}) });
    }
  }

  private forget(file: string): void {
    this.stamps.delete(file);
    this.index.clearCorrupt(file);
    this.index.delete(file.slice(0, -'.json'.length));
  }

  private readGeneration(): string {
    try {
      return readFileSync(this.generationFile, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return '';
      throw error;
    }
  }
}
