import { appendFileSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isNotFound } from './atomic-fs.js';
import { TaskStoreError } from './task-store.js';

/** Where the board lives: an absolute directory inside the workspace, kept out of commits. */

export interface TasksDirOptions {
  /** Absolute path of the tasks directory. */
  dir: string;
  /** When given, `dir` must resolve (symlinks included) strictly inside it. */
  workspaceRoot?: string | undefined;
  /** Add the directory to the repository's `info/exclude` when inside a git work tree. Default true. */
  gitExclude?: boolean | undefined;
}

/**
 * Checks and creates the tasks directory and returns its real path. Throws TaskStoreError for a
 * relative path, a path outside the workspace (a symlink pointing out counts as outside) or a
 * path that is not a directory. Nothing is created outside the workspace.
 */
export function prepareTasksDir(options: TasksDirOptions): string {
  const { dir, workspaceRoot } = options;
  if (!isAbsolute(dir)) {
    throw new TaskStoreError(`The tasks directory must be an absolute path: ${dir}`, 'invalid_dir');
  }
  const check = (resolved: string): void => {
    if (workspaceRoot === undefined) return;
    const root = realpathSync(workspaceRoot);
    const rel = relative(root, resolved);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new TaskStoreError(
        `The tasks directory ${dir} must be inside the workspace ${root} (and not the workspace itself).`,
        'outside_workspace',
      );
    }
  };
  check(realpathOfNearest(resolve(dir)));
  mkdirSync(dir, { recursive: true });
  const real = realpathSync(dir);
  check(real);
  if (!statSync(real).isDirectory()) throw new TaskStoreError(`${dir} is not a directory.`, 'invalid_dir');
  if (options.gitExclude !== false) ensureGitExcluded(real);
  return real;
}

/** The real path of `path`, through its nearest existing ancestor when it does not exist yet. */
function realpathOfNearest(path: string): string {
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    try {
      return join(realpathSync(at), ...missing.reverse());
    } catch (error) {
      if (!isNotFound(error) || dirname(at) === at) throw error;
      missing.push(basename(at));
    }
  }
}

interface GitWorkTree {
  root: string;
  /** The directory holding `info/exclude` (the common dir for a linked worktree). */
  commonDir: string;
}

function findGitWorkTree(start: string): GitWorkTree | undefined {
  for (let at = start; ; at = dirname(at)) {
    const dotGit = join(at, '.git');
    try {
      const stat = statSync(dotGit);
      if (stat.isDirectory()) return { root: at, commonDir: dotGit };
      const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (match?.[1] !== undefined) {
        const gitDir = resolve(at, match[1].trim());
        let commonDir = gitDir;
        try {
          commonDir = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
        return { root: at, commonDir };
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (dirname(at) === at) return undefined;
  }
}

/**
 * Adds `/<dir relative to the work tree>/` to the repository's `info/exclude`, once. Returns the
 * exclude file's path, or undefined when `dir` is not inside a git work tree.
 */
export function ensureGitExcluded(dir: string): string | undefined {
  const tree = findGitWorkTree(dir);
  if (tree === undefined) return undefined;
  const rel = relative(tree.root, dir).split(sep).join('/');
  if (rel === '' || rel.startsWith('..') || rel === '.git' || rel.startsWith('.git/')) return undefined;
  const pattern = `/${rel}/`;
  const excludePath = join(tree.commonDir, 'info', 'exclude');
  let current = '';
  try {
    current = readFileSync(excludePath, 'utf8');
  } catch (error) {
    if (!isNotFound(error)) throw error;
    mkdirSync(dirname(excludePath), { recursive: true });
  }
  if (current.split(/\r?\n/).some((line) => line.trim() === pattern)) return excludePath;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  appendFileSync(excludePath, `${separator}# taskpilot task board\n${pattern}\n`);
  return excludePath;
}
