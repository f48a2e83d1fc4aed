import { spawn } from 'node:child_process';
import { signalGroup } from '../process/process-group.js';
import { isSecretEnvName } from '../workspace/child-env.js';
import { createRedactor, redactPatterns, type Redactor } from './redact.js';

/**
 * The process layer under every git operation: runs real git (no shell) in a workspace, with
 * per-command authentication and a controlled environment, and turns failures into GitError.
 */

/** Options every git operation accepts. */
export interface GitOptions {
  /** Aborting kills the git process; the operation then fails with a GitError (exitCode null). */
  readonly signal?: AbortSignal | undefined;
  /** The environment git starts from (default process.env); see gitEnv for what is removed. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * Credentials for network operations. `null` wherever a GitAuth is accepted means "use whatever
 * the checkout configured" (an extraheader or credential helper in the git config, ssh keys).
 */
export interface GitAuth {
  /** An installation or personal access token. An empty string counts as no token. */
  readonly token: string;
  /** The server the token is for, e.g. https://github.com. The token is never sent elsewhere. */
  readonly serverUrl: string;
}

/**
 * A git command that failed. `exitCode` is null when git could not be started or was killed
 * (abort). `args` and `stderr` are redacted at construction, and the per-command auth header is
 * never part of `args`, so a GitError is always safe to log or post.
 */
export class GitError extends Error {
  override readonly name = 'GitError';
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(
    init: { args: readonly string[]; exitCode: number | null; stderr: string },
    redact: Redactor = redactPatterns,
  ) {
    const args = init.args.map(redact);
    const stderr = redact(init.stderr);
    const status = init.exitCode === null ? 'did not complete' : `failed with exit code ${init.exitCode}`;
    const detail = stderr.trim();
    super(`git ${args.join(' ')} ${status}${detail ? `: ${clip(detail, 2000)}` : ''}`);
    this.args = args;
    this.exitCode = init.exitCode;
    this.stderr = stderr;
  }
}

export interface GitResult {
  exitCode: number;
  /** As git wrote it (data, not redacted). */
  stdout: string;
  /** Redacted. */
  stderr: string;
}

export interface RunGitOptions extends GitOptions {
  /** Exit codes that are answers rather than failures (default [0]). Others throw GitError. */
  readonly okExitCodes?: readonly number[];
  /** Written to git's stdin; stdin is closed (empty) when absent. */
  readonly input?: string;
  /** Set on top of gitEnv (e.g. GIT_AUTHOR_NAME). Must not carry secrets. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** From authFor(): the Authorization header for this one command, and the token's redactor. */
  readonly auth?: CommandAuth | null;
}

/** Per-command authentication resolved by authFor(). */
export interface CommandAuth {
  /** `-c` arguments placed before the subcommand; empty when the token is not used. */
  readonly configArgs: readonly string[];
  /** Redacts the token (and its header form) from this command's errors. */
  readonly redact: Redactor;
}

/**
 * Prepended to every command. Hooks and fsmonitor are commands taken from the repository's own
 * configuration, which the agent could have written during the run; disabling them keeps
 * delivery from running agent-planted code, and keeps repository hooks (husky, lint-staged)
 * from rejecting the bot's commit.
 */
const HARDENING_ARGS = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'] as const;

/** SIGTERM → SIGKILL grace for an aborted git process group. */
const ABORT_KILL_GRACE_MS = 2000;

/**
 * Variables that would make git operate on another repository than `dir`, or change identities
 * or write traces (GIT_TRACE* can log the auth header to a file).
 */
const DROPPED_GIT_VARS = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
]);

/** Credential carriers git itself uses to authenticate when no token is given (ssh agent, askpass). */
const KEPT_CREDENTIAL_VARS = new Set(['SSH_AUTH_SOCK', 'GIT_ASKPASS', 'SSH_ASKPASS']);

/**
 * The environment git runs with: `base` minus the secrets the agent's commands never see
 * (isSecretEnvName: API keys, tokens, runner credentials) except the credential carriers git
 * needs for checkout-configured auth (SSH_AUTH_SOCK, GIT_ASKPASS, SSH_ASKPASS, GIT_CONFIG_*),
 * minus the repository-redirecting, identity and trace variables, plus GIT_TERMINAL_PROMPT=0.
 * The token is never placed in the environment.
 */
export function gitEnv(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (DROPPED_GIT_VARS.has(upper) || upper.startsWith('GIT_TRACE')) continue;
    const kept = KEPT_CREDENTIAL_VARS.has(upper) || upper.startsWith('GIT_CONFIG');
    if (!kept && isSecretEnvName(name)) continue;
    out[name] = value;
  }
  out['GIT_TERMINAL_PROMPT'] = '0';
  return out;
}

/**
 * Runs `git <args>` in `dir` without a shell. Resolves for exit codes in `okExitCodes`; rejects
 * with a redacted GitError otherwise, and when git cannot start or is aborted.
 */
export function runGit(dir: string, args: readonly string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const redact = opts.auth?.redact ?? redactPatterns;
  const okExitCodes = opts.okExitCodes ?? [0];
  const fullArgs = [...HARDENING_ARGS, ...(opts.auth?.configArgs ?? []), ...args];
  const env = { ...gitEnv(opts.env ?? process.env), ...opts.extraEnv };
  return new Promise<GitResult>((resolve, reject) => {
    let settled = false;
    const fail = (exitCode: number | null, stderr: string): void => {
      settled = true;
      reject(new GitError({ args, exitCode, stderr }, redact));
    };
    if (opts.signal?.aborted) {
      fail(null, 'aborted before start');
      return;
    }
    // Its own process group, so an abort also ends the helpers git starts (git-remote-https
    // holds git's stderr open; the call would otherwise wait for it).
    const child = spawn('git', fullArgs, {
      cwd: dir,
      env,
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let spawnError: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid ?? -1, 'SIGKILL'), ABORT_KILL_GRACE_MS);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      spawnError ??= error;
      // Not started (e.g. git not on PATH): 'close' may never come.
      if (child.pid === undefined && !settled) fail(null, error.message);
    });
    if (child.stdin) {
      // git may exit before reading its input (e.g. on a bad option); EPIPE is reported via the exit code.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      if (settled) return;
      const err = Buffer.concat(stderr).toString('utf8');
      if (code === null || spawnError) {
        const reason = spawnError?.message ?? (opts.signal?.aborted ? 'aborted' : 'killed');
        fail(null, [err, reason].filter(Boolean).join('\n'));
        return;
      }
      if (!okExitCodes.includes(code)) {
        fail(code, err);
        return;
      }
      resolve({ exitCode: code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: redact(err) });
    });
  });
}

/**
 * Resolves how a network command against `origin` authenticates: null when `auth` carries no
 * token (the checkout's own credentials apply), else the config args to add (possibly none) and
 * a redactor for the token, which applies to that command's errors either way.
 *
 * The token is used only when every URL the command will contact (`git remote get-url --all`,
 * with insteadOf/pushInsteadOf applied) is http(s) on `auth.serverUrl`'s origin. For any other
 * URL (file, ssh, ext, another host) it is not handed to git at all: git exports `-c` values to
 * its subprocesses (remote helpers, ssh commands, receive-pack), which the repository config
 * controls, so a rewritten remote could otherwise read the token. Such commands run with the
 * checkout's own credentials.
 *
 * The header is passed as `-c http.<server>/.extraheader=AUTHORIZATION: basic <b64>`, the way
 * actions/checkout passes it, and never written to the config, the remote URL or the
 * environment. actions/checkout persists its own header under the same key
 * (`http.https://github.com/.extraheader`). git sends every extraheader value that applies, so
 * adding ours beside it would send two Authorization headers (GitHub rejects the request),
 * and a less specific `http.extraheader` would be ignored in favour of checkout's. An empty
 * value resets the list, so the command first passes `http.<server>/.extraheader=` and then
 * ours: exactly one header, carrying the token taskpilot was given (which may differ from
 * checkout's, e.g. a PAT whose pushes trigger workflows). The config on disk is untouched.
 */
export async function authFor(
  dir: string,
  auth: GitAuth | null,
  direction: 'fetch' | 'push',
  opts: GitOptions = {},
): Promise<CommandAuth | null> {
  if (!auth || auth.token === '') return null;
  const redact = createRedactor([auth.token]);
  if (!originOf(auth.serverUrl)) return { configArgs: [], redact };
  const args = ['remote', 'get-url', ...(direction === 'push' ? ['--push'] : []), '--all', 'origin'];
  const { stdout } = await runGit(dir, args, { ...opts, auth: { configArgs: [], redact } });
  return authForUrls(auth, stdout.split('\n'));
}

/**
 * authFor() for a caller that already read `git remote get-url [--push] --all origin` (the
 * lines of its output): the same decision, without running git again.
 */
export function authForUrls(auth: GitAuth | null, urls: readonly string[]): CommandAuth | null {
  if (!auth || auth.token === '') return null;
  const redact = createRedactor([auth.token]);
  const server = originOf(auth.serverUrl);
  const remotes = urls.filter((line) => line !== '');
  if (!server || remotes.length === 0 || !remotes.every((url) => originOf(url) === server))
    return { configArgs: [], redact };
  const basic = Buffer.from(`x-access-token:${auth.token}`).toString('base64');
  const key = `http.${server}/.extraheader`;
  return { configArgs: ['-c', `${key}=`, '-c', `${key}=AUTHORIZATION: basic ${basic}`], redact };
}

/** `scheme://host[:port]` of an http(s) URL, or null for anything else. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
