import { isValidBranchName } from './git-branch-name.js';
import { authFor, GitError, runGit, type GitAuth, type GitOptions } from './git-exec.js';
import { createRedactor, redactPatterns } from './redact.js';

/**
 * The outcome of push(). Never a thrown error:
 * - `rejected`: origin refused the update (not a fast-forward, or a protected branch / hook);
 * - `error`: anything else (no access, network, invalid branch name, git failure).
 * `message` names the branch, is redacted, and is fit to show to users.
 */
export type PushResult =
  | {
      ok: true;
      branch: string;
      /** The commit origin's branch now points to. */
      sha: string;
      /** True when the push created the branch on origin. */
      created: boolean;
    }
  | { ok: false; branch: string; reason: 'rejected' | 'error'; message: string };

/** The longest `remote:` excerpt kept in a rejection message. */
const MAX_REMOTE_TEXT = 1000;

/**
 * Pushes HEAD to `refs/heads/<branch>` on origin. Never forces (no `+`, no `--force`), so
 * origin's branch only ever moves forward; never pushes tags or submodules; runs no hooks.
 * Authenticates as described in authFor. Resolves in every case, with a PushResult.
 */
export async function push(
  dir: string,
  branch: string,
  auth: GitAuth | null,
  opts: GitOptions = {},
): Promise<PushResult> {
  if (!isValidBranchName(branch)) {
    return {
      ok: false,
      branch,
      reason: 'error',
      message: `Cannot push: invalid branch name ${JSON.stringify(branch)}`,
    };
  }
  const redact = auth?.token ? createRedactor([auth.token]) : redactPatterns;
  try {
    const header = await authFor(dir, auth, 'push', opts);
    const { stdout: head } = await runGit(dir, ['rev-parse', '--verify', 'HEAD^{commit}'], opts);
    const sha = head.trim();
    const ref = `refs/heads/${branch}`;
    const result = await runGit(
      dir,
      [
        '-c',
        'push.followTags=false',
        'push',
        '--porcelain',
        '--no-verify',
        '--recurse-submodules=no',
        'origin',
        `HEAD:${ref}`,
      ],
      { ...opts, auth: header, okExitCodes: [0, 1, 128] },
    );
    const line = refStatus(result.stdout, ref);
    if (line?.flag === '!') {
      const remote = remoteText(result.stderr);
      const detail = remote ? `: ${line.summary}; ${remote}` : `: ${line.summary}`;
      return {
        ok: false,
        branch,
        reason: 'rejected',
        message: redact(`origin rejected the push to ${branch}${detail}`),
      };
    }
    if (result.exitCode !== 0 || !line) {
      const error = new GitError(
        { args: ['push', 'origin', `HEAD:${ref}`], exitCode: result.exitCode, stderr: result.stderr },
        redact,
      );
      return { ok: false, branch, reason: 'error', message: `Push to ${branch} failed: ${error.message}` };
    }
    return { ok: true, branch, sha, created: line.flag === '*' };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, branch, reason: 'error', message: redact(`Push to ${branch} failed: ${text}`) };
  }
}

/**
 * The status line for `ref` in `git push --porcelain` output: `<flag>\t<from>:<to>\t<summary>`,
 * where the flag is ` ` (fast-forward), `+` (forced), `-` (deleted), `*` (new), `=` (up to
 * date) or `!` (rejected).
 */
function refStatus(stdout: string, ref: string): { flag: string; summary: string } | undefined {
  for (const line of stdout.split('\n')) {
    const [flag, refs, summary] = line.split('\t');
    if (flag === undefined || refs === undefined || flag.length !== 1) continue;
    if (refs.endsWith(`:${ref}`)) return { flag, summary: (summary ?? '').trim() };
  }
  return undefined;
}

/** The `remote:` lines of push's stderr (e.g. GitHub's protected-branch explanation), joined. */
function remoteText(stderr: string): string {
  const text = stderr
    .split('\n')
    .filter((line) => line.startsWith('remote:'))
    .map((line) => line.slice('remote:'.length).trim())
    .filter((line) => line !== '')
    .join(' ');
  return text.length <= MAX_REMOTE_TEXT ? text : `${text.slice(0, MAX_REMOTE_TEXT)}…`;
}
