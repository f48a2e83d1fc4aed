import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LockTimeoutError, writeFileAtomic } from '../../src/tasks/atomic-fs.js';
import { tempWorkspace } from './helpers.js';

let root: string;
let cleanup: () => void;
beforeEach(() => ({ root, cleanup } = tempWorkspace()));
afterEach(() => cleanup());

/** The pid of a process that has exited (so is certainly not alive). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('writeFileAtomic', () => {
  it('replaces the content and leaves no temporary file', () => {
    const path = join(root, 'a.json');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(root)).toEqual(['a.json']);
  });

  it('refuses to replace an existing file when exclusive', () => {
    const path = join(root, 'a.json');
    writeFileAtomic(path, 'one', { exclusive: true });
    expect(() => writeFileAtomic(path, 'two', { exclusive: true })).toThrow(/EEXIST/);
    expect(readFileSync(path, 'utf8')).toBe('one');
    expect(readdirSync(root)).toEqual(['a.json']);
  });
});

describe('acquireLock', () => {
  it('is exclusive until released', async () => {
    const path = join(root, 'lock');
    const first = await acquireLock(path);
    await expect(acquireLock(path, { timeoutMs: 50 })).rejects.toBeInstanceOf(LockTimeoutError);
    first.release();
    first.release();
    const second = await acquireLock(path, { timeoutMs: 50 });
    second.release();
    expect(existsSync(path)).toBe(false);
  });

  it('waits for the holder to release', async () => {
    const path = join(root, 'lock');
    const first = await acquireLock(path);
    setTimeout(() => first.release(), 30);
    const second = await acquireLock(path, { timeoutMs: 2_000 });
    second.release();
  });

  it('recovers a lock left by a dead process', async () => {
    const path = join(root, 'lock');
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'x', at: Date.now() }));
    const lock = await acquireLock(path, { timeoutMs: 100 });
    lock.release();
    expect(readdirSync(root)).toEqual([]);
  });

  it('recovers a lock older than staleMs, and an unreadable old one', async () => {
    const path = join(root, 'lock');
    writeFileSync(
      path,
      JSON.stringify({ pid: process.pid, host: 'elsewhere', token: 'x', at: Date.now() - 60_000 }),
    );
    (await acquireLock(path, { timeoutMs: 100, staleMs: 1_000 })).release();
    writeFileSync(path, '');
    await expect(acquireLock(path, { timeoutMs: 50, staleMs: 10_000 })).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    await new Promise((r) => setTimeout(r, 30));
    (await acquireLock(path, { timeoutMs: 100, staleMs: 20 })).release();
  });

  it('never removes a lock that someone else holds now', async () => {
    const path = join(root, 'lock');
    const mine = await acquireLock(path);
    writeFileSync(
      path,
      JSON.stringify({ pid: process.pid, host: hostname(), token: 'theirs', at: Date.now() }),
    );
    mine.release();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ token: 'theirs' });
  });

  it('stops waiting when aborted', async () => {
    const path = join(root, 'lock');
    const held = await acquireLock(path);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 20);
    await expect(acquireLock(path, { signal: controller.signal })).rejects.toThrow('cancelled');
    held.release();
  });
});
