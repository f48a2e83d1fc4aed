import { assertValidBranchName } from './git-branch-name.js';
import { authFor, runGit, type GitAuth, type GitOptions } from './git-exec.js';

/**
 * Choosing and checking out the branch the run works on. `dir` is the workspace: the top level
 * of a clone whose remote `origin` is the repository the work is delivered to.
 */

/** Where the run's work goes. */
export type BranchTarget =
  /** A pull request's head branch (a run triggered from a PR): work continues on it. */
  | { kind: 'pr-head'; branch: string }
  /** A branch of taskpilot's own (issue, schedule, dispatch), started from `base` when it is new. */
  | {
      kind: 'new';
      branch: string;
      base: string;
      /** Whether origin has the branch, when the caller already asked; else prepareBranch asks. */
      onRemote?: boolean;
    };

export interface PreparedBranch {
  /** The branch now checked out. */
  branch: string;
  /**
   * - `checked-out`: the PR head branch;
   * - `reused`: a `new` target's branch already existed (on origin from an earlier run, or locally);
   * - `created`: a `new` target's branch was created from `origin/<base>`.
   */
  action: 'checked-out' | 'reused' | 'created';
  /** The ref the branch was checked out from, e.g. `refs/remotes/origin/main` or `refs/heads/x`. */
  from: string;
  /** HEAD after the checkout: the start sha for commitsSince. */
  sha: string;
  /** True when something was fetched from origin. */
  fetched: boolean;
}

/**
 * Checks out the branch for `target` and says what it did. Throws GitError when git fails (an
 * unknown branch on origin, a dirty tree that blocks the checkout, no access) and
 * BranchNameError for an invalid name.
 *
 * - `pr-head`: checks out the local branch when there is one, else fetches `origin/<branch>`
 *   and creates it from there.
 * - `new`: when origin has the branch (an earlier run pushed it), fetches it and works on it;
 *   else creates it from `origin/<base>` (fetching the base only when it is not known locally);
 *   a local branch of that name that origin lacks is reused as is.
 *
 * An existing local branch is never moved backwards or away from commits of its own: it is
 * fast-forwarded to the remote branch when behind, and otherwise checked out as it is (a push
 * of diverged work is then rejected, not forced). New branches get no upstream configuration.
 */
export async function prepareBranch(
  dir: string,
  target: BranchTarget,
  auth: GitAuth | null,
  opts: GitOptions = {},
): Promise<PreparedBranch> {
  const branch = assertValidBranchName(target.branch);
  const local = headsRef(branch);
  if (target.kind === 'pr-head') {
    const sha = (await refShas(dir, [local], opts)).get(local);
    if (sha) {
      await runGit(dir, ['checkout', '--quiet', branch, '--'], opts);
      return { branch, action: 'checked-out', from: local, fetched: false, sha };
    }
    await fetchBranch(dir, branch, auth, opts);
    const from = await checkoutAt(dir, branch, remoteRef(branch), opts);
    return done(dir, { branch, action: 'checked-out', from, fetched: true }, opts);
  }

  const base = assertValidBranchName(target.base);
  if (target.onRemote ?? (await remoteBranchExists(dir, branch, auth, opts))) {
    await fetchBranch(dir, branch, auth, opts);
    const from = await checkoutAt(dir, branch, remoteRef(branch), opts);
    return done(dir, { branch, action: 'reused', from, fetched: true }, opts);
  }
  // One look at both refs; a checkout leaves HEAD at the sha it read, so no rev-parse follows.
  const known = await refShas(dir, [local, remoteRef(base)], opts);
  const localSha = known.get(local);
  if (localSha) {
    await runGit(dir, ['checkout', '--quiet', branch, '--'], opts);
    return { branch, action: 'reused', from: local, fetched: false, sha: localSha };
  }
  const baseSha = known.get(remoteRef(base));
  if (!baseSha) await fetchBranch(dir, base, auth, opts);
  await runGit(dir, ['checkout', '--quiet', '--no-track', '-b', branch, remoteRef(base), '--'], opts);
  const created = { branch, action: 'created', from: remoteRef(base), fetched: !baseSha } as const;
  return baseSha ? { ...created, sha: baseSha } : done(dir, created, opts);
}

/** True when origin has `refs/heads/<branch>` (asks the remote; needs network access). */
export async function remoteBranchExists(
  dir: string,
  branch: string,
  auth: GitAuth | null,
  opts: GitOptions = {},
): Promise<boolean> {
  const ref = headsRef(assertValidBranchName(branch));
  const header = await authFor(dir, auth, 'fetch', opts);
  const { exitCode, stdout } = await runGit(dir, ['ls-remote', '--exit-code', '--heads', 'origin', ref], {
    ...opts,
    auth: header,
    okExitCodes: [0, 2],
  });
  // ls-remote matches patterns against the tail of ref names, so check for the exact ref.
  return exitCode === 0 && stdout.split('\n').some((line) => line.endsWith(`\t${ref}`));
}

/** The branch `refs/remotes/origin/HEAD` points to, or null when it is not set (local only). */
export async function defaultBranchFromOrigin(dir: string, opts: GitOptions = {}): Promise<string | null> {
  const { exitCode, stdout } = await runGit(dir, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'], {
    ...opts,
    okExitCodes: [0, 1],
  });
  const prefix = 'refs/remotes/origin/';
  const target = stdout.trim();
  return exitCode === 0 && target.startsWith(prefix) ? target.slice(prefix.length) : null;
}

/** The sha HEAD points to. Throws GitError when HEAD has no commit yet. */
export async function currentSha(dir: string, opts: GitOptions = {}): Promise<string> {
  const { stdout } = await runGit(dir, ['rev-parse', '--verify', '--end-of-options', 'HEAD^{commit}'], opts);
  return stdout.trim();
}

/** Fetches origin's `branch` into `refs/remotes/origin/<branch>` (no tags, no submodules). */
async function fetchBranch(
  dir: string,
  branch: string,
  auth: GitAuth | null,
  opts: GitOptions,
): Promise<void> {
  const header = await authFor(dir, auth, 'fetch', opts);
  const refspec = `+${headsRef(branch)}:${remoteRef(branch)}`;
  await runGit(dir, ['fetch', '--quiet', '--no-tags', '--recurse-submodules=no', 'origin', refspec], {
    ...opts,
    auth: header,
  });
}

/**
 * Checks out local `branch` at `startRef`: creates it when missing, fast-forwards it when it is
 * an ancestor of `startRef`, else checks it out unchanged. Returns the ref HEAD came from.
 */
async function checkoutAt(dir: string, branch: string, startRef: string, opts: GitOptions): Promise<string> {
  if (!(await localBranchExists(dir, branch, opts))) {
    await runGit(dir, ['checkout', '--quiet', '--no-track', '-b', branch, startRef, '--'], opts);
    return startRef;
  }
  const ancestor = await runGit(dir, ['merge-base', '--is-ancestor', headsRef(branch), startRef], {
    ...opts,
    okExitCodes: [0, 1],
  });
  if (ancestor.exitCode === 0) {
    await runGit(dir, ['checkout', '--quiet', '--no-track', '-B', branch, startRef, '--'], opts);
    return startRef;
  }
  await runGit(dir, ['checkout', '--quiet', branch, '--'], opts);
  return headsRef(branch);
}

async function localBranchExists(dir: string, branch: string, opts: GitOptions): Promise<boolean> {
  const ref = headsRef(branch);
  return (await refShas(dir, [ref], opts)).has(ref);
}

/** The sha each of `refs` (full names, e.g. `refs/heads/x`) points to; a ref that does not exist is absent. */
async function refShas(dir: string, refs: readonly string[], opts: GitOptions): Promise<Map<string, string>> {
  // for-each-ref also lists refs below a pattern (refs/heads/x/y for refs/heads/x): keep exact names.
  const { stdout } = await runGit(dir, ['for-each-ref', '--format=%(refname) %(objectname)', ...refs], opts);
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [ref, sha] = line.split(' ');
    if (ref && sha && refs.includes(ref)) found.set(ref, sha);
  }
  return found;
}

async function done(
  dir: string,
  result: Omit<PreparedBranch, 'sha'>,
  opts: GitOptions,
): Promise<PreparedBranch> {
  return { ...result, sha: await currentSha(dir, opts) };
}

function headsRef(branch: string): string {
  return `refs/heads/${branch}`;
}

function remoteRef(branch: string): string {
  return `refs/remotes/origin/${branch}`;
}
