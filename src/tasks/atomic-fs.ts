import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Crash-safe file primitives for the task store. Synchronous on purpose: each call is a handful
 * of syscalls on small files, and a critical section that never yields cannot interleave with
 * another one of the same process.
 */

export interface AtomicWriteOptions {
  /** Fail with EEXIST instead of replacing an existing file. Default false. */
  exclusive?: boolean;
  /** Test seam: runs after the temporary file is fsynced and before it takes the final name. */
  beforeRename?: (tmpPath: string, path: string) => void;
}

/** Temporary files are dot-files ending in `.tmp`: readers of the directory must skip them. */
export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Removes the temporary files that crashed writers left in `dir`, when older than `olderThanMs`
 * (a live writer keeps one for milliseconds). Best effort: a file that cannot be removed stays.
 */
export function removeStaleTemporaries(dir: string, olderThanMs: number): void {
  for (const name of readdirSync(dir)) {
    if (!isTemporaryName(name)) continue;
    const path = join(dir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > olderThanMs) rmSync(path, { force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Writes `data` to `path` so that a reader (or a crash) sees the old content or the new, never a
 * mix: temporary file in the same directory, fsync, rename (or hard link when `exclusive`), then
 * fsync of the directory so the new name survives a power cut.
 */
export function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    options.beforeRename?.(tmp, path);
    if (options.exclusive === true) createFromExclusive(tmp, path);
    else renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  fsyncDirectory(dir);
}

function createFromExclusive(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
  } catch (error) {
    const code = errorCode(error);
    // Filesystems without hard links: callers hold the board lock, so check-then-rename is safe there.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    try {
      statSync(path);
    } catch (statError) {
      if (errorCode(statError) === 'ENOENT') return renameSync(tmp, path);
      throw statError;
    }
    throw Object.assign(new Error(`EEXIST: file already exists, ${path}`), { code: 'EEXIST' });
  }
}

export function isAlreadyExists(error: unknown): boolean {
  return errorCode(error) === 'EEXIST';
}

export function isNotFound(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

export interface LockOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number | undefined;
  /** A lock older than this is broken even if its holder seems alive. Default 30 s. */
  staleMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The board lock could not be taken in time. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(
    readonly path: string,
    readonly holder: string,
  ) {
    super(`timed out waiting for the lock ${path} held by ${holder}`);
  }
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  at: number;
}

function readLockInfo(path: string): LockInfo | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, host, token, at } = parsed as Record<string, unknown>;
    if (
      typeof pid !== 'number' ||
      typeof host !== 'string' ||
      typeof token !== 'string' ||
      typeof at !== 'number'
    ) {
      return undefined;
    }
    return { pid, host, token, at };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** Stale: its holder on this host is dead, or it is older than `staleMs`, or unreadable and old. */
function isStale(path: string, info: LockInfo | undefined, staleMs: number): boolean {
  if (info === undefined) {
    try {
      return Date.now() - statSync(path).mtimeMs > staleMs;
    } catch {
      return false;
    }
  }
  if (info.host === hostname() && !isAlive(info.pid)) return true;
  return Date.now() - info.at > staleMs;
}

/**
 * Removes a stale lock, unless another process replaced it meanwhile: the lock is moved aside
 * atomically, and put back if it turns out not to be the one judged stale.
 */
function breakStaleLock(path: string, judged: LockInfo | undefined): void {
  const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const moved = readLockInfo(aside);
  if (moved !== undefined && moved.token !== judged?.token) {
    try {
      linkSync(aside, path);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }
  rmSync(aside, { force: true });
}

/** A held lock. `release` is idempotent and never removes a lock that another process now holds. */
export interface LockHandle {
  release(): void;
}

/**
 * Takes an exclusive cross-process lock: a lock file created with O_EXCL that records its holder
 * (pid, host, token). Waits with backoff while another live holder has it; recovers a lock left by
 * a crashed process. Throws LockTimeoutError after `timeoutMs`, or the signal's reason on abort.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<LockHandle> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    const info: LockInfo = { pid: process.pid, host: hostname(), token, at: Date.now() };
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, JSON.stringify(info));
      } catch (error) {
        rmSync(path, { force: true });
        throw error;
      } finally {
        closeSync(fd);
      }
      return { release: () => releaseLock(path, token) };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    const holder = readLockInfo(path);
    if (isStale(path, holder, staleMs)) {
      breakStaleLock(path, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(path, holder ? `pid ${holder.pid} on ${holder.host}` : 'an unknown process');
    }
    try {
      await sleep(Math.min(2 ** Math.min(attempt, 6), 50) + Math.random() * 2, undefined, {
        signal: options.signal,
      });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw error;
    }
  }
}

function releaseLock(path: string, token: string): void {
  if (readLockInfo(path)?.token !== token) return;
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
