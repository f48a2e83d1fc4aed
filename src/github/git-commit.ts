import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runGit, type GitOptions } from './git-exec.js';

/**
 * Committing the run's work. `dir` is the workspace: the top level of the clone. Paths in
 * `exclude` lists are relative to it (or absolute inside it; others are ignored) and name files
 * or directories that must never be committed, such as the task board and the memory file.
 */

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitInput {
  message: string;
  /** Author and committer of the commit. */
  author: GitIdentity;
  /** One `Co-authored-by:` trailer each, deduplicated by email; the author is left out. */
  coAuthors?: readonly GitIdentity[];
  /** Never staged or committed, even when tracked, staged by the agent, or not gitignored. */
  exclude?: readonly string[];
}

/**
 * Stages every change (new, modified, deleted files) except the excluded paths and commits it;
 * an excluded path's index entry is left as in HEAD, whatever was staged for it.
 * Returns the new commit's sha, or null when there was nothing to commit. Also records the
 * excluded paths in `.git/info/exclude` (see addLocalExcludes). Repository hooks do not run
 * and the message is kept as given apart from surrounding whitespace (`#` lines stay).
 * Throws GitError when git fails.
 */
export async function commitAll(
  dir: string,
  input: CommitInput,
  opts: GitOptions = {},
): Promise<string | null> {
  const excluded = normalizePaths(dir, input.exclude ?? []);
  await addLocalExcludes(dir, excluded, opts);
  // Not `:(exclude)` pathspecs: git add fails when one names an ignored path (as these now are).
  // Resetting the index entries afterwards also drops what the agent staged itself, and what
  // a repository .gitignore negation (which outranks info/exclude) let through.
  await runGit(dir, ['add', '--all', '--', '.'], opts);
  if (excluded.length > 0) await unstage(dir, excluded, opts);
  const staged = await runGit(dir, ['diff', '--cached', '--quiet'], { ...opts, okExitCodes: [0, 1] });
  if (staged.exitCode === 0) return null;

  const author = cleanIdentity(input.author);
  const trailers = coAuthorTrailers(author, input.coAuthors ?? []).flatMap((t) => ['--trailer', t]);
  await runGit(dir, ['commit', '--quiet', '--no-verify', '--cleanup=whitespace', '--file=-', ...trailers], {
    ...opts,
    input: input.message,
    extraEnv: {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    },
  });
  const { stdout } = await runGit(dir, ['rev-parse', '--verify', 'HEAD'], opts);
  return stdout.trim();
}

/**
 * How many commits HEAD has that `sha` lacks (`git rev-list --count <sha>..HEAD`): the
 * commits made since the run recorded `sha`, the agent's own included.
 */
export async function commitsSince(dir: string, sha: string, opts: GitOptions = {}): Promise<number> {
  const { stdout } = await runGit(dir, ['rev-list', '--count', '--end-of-options', `${sha}..HEAD`], opts);
  return Number.parseInt(stdout.trim(), 10);
}

/**
 * True when the working tree or the index differs from HEAD, untracked files included and
 * ignored files not. Paths in `exclude` do not count.
 */
export async function hasUncommittedChanges(
  dir: string,
  opts: GitOptions & { readonly exclude?: readonly string[] } = {},
): Promise<boolean> {
  const specs = normalizePaths(dir, opts.exclude ?? []).map((p) => `:(exclude,literal)${p}`);
  const { stdout } = await runGit(
    dir,
    [
      'status',
      '--porcelain=v1',
      '-z',
      '--untracked-files=all',
      '--ignore-submodules=none',
      '--',
      '.',
      ...specs,
    ],
    opts,
  );
  return stdout.length > 0;
}

/**
 * Appends the paths (anchored, glob characters escaped) to the repository's `info/exclude`,
 * the local-only ignore file, unless already listed. Idempotent. Call it when the run starts
 * so the agent's own `git add -A` skips them too; it cannot keep out a path that is already
 * tracked, which is why commitAll also excludes them by pathspec.
 */
export async function addLocalExcludes(
  dir: string,
  paths: readonly string[],
  opts: GitOptions = {},
  /** `git rev-parse --git-path info/exclude`, when the caller already asked. */
  excludeFile?: string,
): Promise<void> {
  const normalized = normalizePaths(dir, paths);
  if (normalized.length === 0) return;
  const file = path.resolve(
    dir,
    excludeFile ?? (await runGit(dir, ['rev-parse', '--git-path', 'info/exclude'], opts)).stdout.trim(),
  );
  const existing = await readFile(file, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  });
  const present = new Set(existing.split('\n'));
  const missing = normalized.map(ignorePattern).filter((line) => !present.has(line));
  if (missing.length === 0) return;
  await mkdir(path.dirname(file), { recursive: true });
  const lead = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${lead}${missing.join('\n')}\n`);
}

/** Resets the index entries of `paths` to HEAD (or removes them when HEAD has no commit). */
async function unstage(dir: string, paths: readonly string[], opts: GitOptions): Promise<void> {
  const specs = paths.map((p) => `:(literal)${p}`);
  const head = await runGit(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'], {
    ...opts,
    okExitCodes: [0, 1],
  });
  if (head.exitCode === 0) {
    await runGit(dir, ['reset', '--quiet', 'HEAD', '--', ...specs], opts);
  } else {
    await runGit(dir, ['rm', '--cached', '-r', '--quiet', '--ignore-unmatch', '--', ...specs], opts);
  }
}

/**
 * Paths relative to `dir` with `/` separators, no `./` or trailing `/`, deduplicated. Absolute
 * paths are made relative; paths outside `dir`, and `dir` itself, are dropped.
 */
function normalizePaths(dir: string, paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const relative = path.relative(path.resolve(dir), path.resolve(dir, p));
    const outside = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
    if (relative === '' || outside) continue;
    out.add(relative.split(path.sep).join('/'));
  }
  return [...out];
}

/** A gitignore line matching exactly `relativePath` (file or directory) from the top level. */
function ignorePattern(relativePath: string): string {
  return `/${relativePath.replace(/[\\*?[]/g, '\\$&').replace(/ $/, '\\ ')}`;
}

function coAuthorTrailers(author: GitIdentity, coAuthors: readonly GitIdentity[]): string[] {
  const seen = new Set([author.email.toLowerCase()]);
  const out: string[] = [];
  for (const coAuthor of coAuthors) {
    const { name, email } = cleanIdentity(coAuthor);
    const key = email.toLowerCase();
    if (!name || !email || seen.has(key)) continue;
    seen.add(key);
    out.push(`Co-authored-by: ${name} <${email}>`);
  }
  return out;
}

/** Drops the characters that would break an ident or a trailer line (`<`, `>`, line breaks). */
function cleanIdentity(identity: GitIdentity): GitIdentity {
  const clean = (text: string): string => text.replace(/[<>\r\n]/g, '').trim();
  return { name: clean(identity.name), email: clean(identity.email) };
}
