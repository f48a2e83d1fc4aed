/**
 * The git half of delivering the work: branch names, the branch to work on, committing and
 * pushing. Real git, no shell; every function takes the workspace directory (the top level of
 * a clone whose `origin` is the target repository) and an optional GitOptions (signal, env).
 *
 * Tokens are passed per command only (see authFor) and never written to the remote URL, the
 * git config or any environment. Failures throw GitError (redacted), except push(), which
 * always resolves with a PushResult.
 */

export {
  assertValidBranchName,
  BranchNameError,
  DEFAULT_BRANCH_PREFIX,
  isValidBranchName,
  issueBranchName,
  MAX_SLUG_LENGTH,
  scheduledBranchName,
  slugify,
} from './git-branch-name.js';
export {
  currentSha,
  defaultBranchFromOrigin,
  prepareBranch,
  remoteBranchExists,
  type BranchTarget,
  type PreparedBranch,
} from './git-branch.js';
export {
  addLocalExcludes,
  commitAll,
  commitsSince,
  hasUncommittedChanges,
  type CommitInput,
  type GitIdentity,
} from './git-commit.js';
export { GitError, gitEnv, type GitAuth, type GitOptions } from './git-exec.js';
export { push, type PushResult } from './git-push.js';
