import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskStoreError } from '../../src/tasks/task-store.js';
import { prepareTasksDir } from '../../src/tasks/tasks-dir.js';
import { tempWorkspace } from './helpers.js';

let root: string;
let cleanup: () => void;
beforeEach(() => ({ root, cleanup } = tempWorkspace()));
afterEach(() => cleanup());

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });

function storeError(fn: () => unknown): TaskStoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaskStoreError) return error;
    throw error;
  }
  throw new Error('expected a TaskStoreError');
}

describe('prepareTasksDir', () => {
  it('creates the directory inside the workspace and returns its real path', () => {
    const dir = prepareTasksDir({ dir: join(root, 'state', '.tasks'), workspaceRoot: root });
    expect(dir).toBe(join(root, 'state', '.tasks'));
    expect(existsSync(dir)).toBe(true);
  });

  it('refuses a directory outside the workspace, and creates nothing there', () => {
    const outside = join(root, 'elsewhere');
    const workspace = join(root, 'ws');
    mkdirSync(workspace);
    const error = storeError(() =>
      prepareTasksDir({ dir: join(outside, '.tasks'), workspaceRoot: workspace }),
    );
    expect(error.code).toBe('outside_workspace');
    expect(existsSync(outside)).toBe(false);
    expect(
      storeError(() => prepareTasksDir({ dir: join(workspace, '..', 'x'), workspaceRoot: workspace })).code,
    ).toBe('outside_workspace');
    expect(storeError(() => prepareTasksDir({ dir: workspace, workspaceRoot: workspace })).code).toBe(
      'outside_workspace',
    );
  });

  it('refuses a symlink that leads out of the workspace', () => {
    const workspace = join(root, 'ws');
    mkdirSync(workspace);
    mkdirSync(join(root, 'outside'));
    symlinkSync(join(root, 'outside'), join(workspace, 'link'));
    const error = storeError(() =>
      prepareTasksDir({ dir: join(workspace, 'link', '.tasks'), workspaceRoot: workspace }),
    );
    expect(error.code).toBe('outside_workspace');
    expect(existsSync(join(root, 'outside', '.tasks'))).toBe(false);
  });

  it('refuses a relative path and a path that is a file', () => {
    expect(storeError(() => prepareTasksDir({ dir: '.tasks' })).code).toBe('invalid_dir');
    writeFileSync(join(root, 'file'), '');
    expect(() => prepareTasksDir({ dir: join(root, 'file'), workspaceRoot: root })).toThrow();
  });
});

describe('git exclude', () => {
  it('keeps the tasks directory out of commits, once', () => {
    git(root, 'init', '-q');
    writeFileSync(join(root, 'README.md'), 'hi\n');
    prepareTasksDir({ dir: join(root, '.tasks'), workspaceRoot: root });
    prepareTasksDir({ dir: join(root, '.tasks'), workspaceRoot: root });
    writeFileSync(join(root, '.tasks', 't1.json'), '{}');
    const exclude = readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8');
    expect(exclude.split('\n').filter((l) => l === '/.tasks/')).toHaveLength(1);
    expect(git(root, 'status', '--porcelain', '--untracked-files=all')).toBe('?? README.md\n');
  });

  it('leaves git alone when disabled, or outside a work tree', () => {
    git(root, 'init', '-q');
    const before = readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8');
    prepareTasksDir({ dir: join(root, 'plan'), workspaceRoot: root, gitExclude: false });
    expect(readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8')).toBe(before);
    expect(git(root, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('finds the exclude file of a linked worktree', () => {
    const main = join(root, 'main');
    mkdirSync(main);
    git(main, 'init', '-q');
    git(main, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init');
    git(main, 'worktree', 'add', '-q', join(root, 'wt'));
    prepareTasksDir({ dir: join(root, 'wt', 'nested', '.tasks'), workspaceRoot: join(root, 'wt') });
    writeFileSync(join(root, 'wt', 'nested', '.tasks', 't1.json'), '{}');
    expect(readFileSync(join(main, '.git', 'info', 'exclude'), 'utf8')).toContain('/nested/.tasks/');
    expect(git(join(root, 'wt'), 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });
});
