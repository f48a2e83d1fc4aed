import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { DeliveryView, TaskView } from '../agent/events.js';
import type { ActionConfig } from '../config.js';
import type { RunContext } from '../github/event.js';
import {
  addLocalExcludes,
  commitAll,
  commitsSince,
  issueBranchName,
  prepareBranch,
  push,
  scheduledBranchName,
  type BranchTarget,
  type GitAuth,
  type GitIdentity,
} from '../github/git.js';
import { authForUrls, GitError, runGit, type CommandAuth } from '../github/git-exec.js';
import type { GitHubClient } from '../github/octokit.js';
import { openOrUpdatePullRequest, pullRequestContent, pullRequestHead } from '../github/pull-request.js';
import type { Redactor } from '../github/redact.js';
import type { Trigger } from '../github/trigger.js';

/** Where a run's work goes, decided and checked out before the agent starts. */
export interface DeliveryPlan {
  dir: string;
  /** Why nothing will be committed or pushed (no git checkout, no origin, a fork PR); null to deliver. */
  skip: string | null;
  /** True for a fork PR: the agent should review and explain rather than change code. */
  readOnly: boolean;
  branch: string | null;
  base: string | null;
  /** Open (or update) a pull request at the end: issue and scheduled runs with `create-pr`. */
  openPr: boolean;
  auth: GitAuth | null;
  startSha: string | null;
  /**
   * The repository's git config as it was before the agent ran. The agent could add filters,
   * proxies or URL rewrites that delivery's git commands would then obey (running its code, or
   * sending the token elsewhere), so delivery restores it first. `content` stays in memory:
   * the post step, which only has the hash, refuses to deliver when the config changed.
   */
  gitConfig: { path: string; hash: string; content?: string | undefined } | null;
}

export interface DeliverInput {
  done: boolean;
  summary: string | null;
  tasks: readonly TaskView[];
  /** Ends pushing early (a cancelled run has seconds left). */
  signal?: AbortSignal | undefined;
}

/** What the workspace is, from two git commands run side by side. */
type Checkout =
  | { kind: 'none' }
  | { kind: 'local' }
  | { kind: 'remote'; originUrls: string[]; configPath: string; excludeFile: string };

/** 'none' outside a git work tree (or without git), 'local' in one without an `origin` remote. */
async function inspectCheckout(dir: string): Promise<Checkout> {
  const fatal = 128; // not a repository, or one git refuses (unsafe ownership, broken config)
  const noSuchRemote = 2;
  const both = await Promise.all([
    runGit(
      dir,
      [
        'rev-parse',
        '--path-format=absolute',
        '--show-toplevel',
        '--git-path',
        'config',
        '--git-path',
        'info/exclude',
      ],
      { okExitCodes: [0, fatal] },
    ),
    runGit(dir, ['remote', 'get-url', '--all', 'origin'], { okExitCodes: [0, noSuchRemote, fatal] }),
  ]).catch((e: unknown) => {
    if (e instanceof GitError && e.exitCode === null) return null; // git could not run
    throw e;
  });
  if (!both) return { kind: 'none' };
  const [paths, origin] = both;
  if (paths.exitCode !== 0) return { kind: 'none' };
  if (origin.exitCode !== 0) return { kind: 'local' };
  const [, configPath = '', excludeFile = ''] = paths.stdout.split('\n');
  return { kind: 'remote', originUrls: origin.stdout.split('\n'), configPath, excludeFile };
}

/**
 * Decides the branch (the PR's head; `<prefix>issue-<n>-<slug>`, reused across runs even after
 * the issue is renamed; or `<prefix><workflow>-<yyyymmdd-hhmm>`) and checks it out. A fork PR,
 * a workspace that is not a git checkout, or one without `origin` means nothing is delivered,
 * with the reason. Throws GitError/GitHubError when the branch cannot be prepared.
 *
 * It stands between the trigger and the first model call, so independent steps run side by
 * side (the git inspection, the issue's earlier branches, and the default branch from the API
 * when neither base-branch nor the payload gives it).
 */
export async function planDelivery(
  ctx: RunContext,
  trigger: Trigger,
  config: ActionConfig,
  octokit: GitHubClient,
  redact: Redactor,
  dir: string,
): Promise<DeliveryPlan> {
  const none = (skip: string, readOnly = false): DeliveryPlan => ({
    dir,
    skip,
    readOnly,
    branch: null,
    base: null,
    openPr: false,
    auth: null,
    startSha: null,
    gitConfig: null,
  });
  const thread = trigger.thread;
  const isPr = thread?.kind === 'pull_request';
  // The payload's default branch saves a request; the API is asked (at once, and only awaited,
  // its failure only reported, when the branch needs a base) when the payload has none.
  const known = config.baseBranch || ctx.defaultBranch;
  const baseBranch = isPr ? null : known ? Promise.resolve(known) : defaultBranch(octokit, ctx, redact);
  baseBranch?.catch(() => undefined);
  const checkout = await inspectCheckout(dir);
  if (checkout.kind === 'none') return none('the workspace is not a git checkout, so nothing is committed');
  if (checkout.kind === 'local')
    return none('the checkout has no origin remote, so changes stay in the workspace');
  const auth: GitAuth = { token: config.githubToken, serverUrl: ctx.serverUrl };
  let target: BranchTarget;
  if (isPr) {
    const head = thread.refs
      ? { branch: thread.refs.head, fork: isFork(thread.refs.headRepo, ctx) }
      : await pullRequestHead(octokit, ctx.repo, thread.number, redact);
    if (head.fork) return none('this pull request comes from a fork, which taskpilot cannot push to', true);
    target = { kind: 'pr-head', branch: head.branch };
  } else if (thread) {
    const fetchAuth = authForUrls(auth, checkout.originUrls);
    const [base, branch] = await Promise.all([
      baseBranch,
      issueBranch(dir, config.branchPrefix, thread, fetchAuth),
    ]);
    target = { kind: 'new', base: base ?? '', ...branch };
  } else {
    target = {
      kind: 'new',
      base: (await baseBranch) ?? '',
      branch: scheduledBranchName({
        workflow: ctx.workflow ?? 'taskpilot',
        date: new Date(),
        prefix: config.branchPrefix,
      }),
    };
  }
  const prepared = await prepareBranch(dir, target, auth);
  const [, gitConfig] = await Promise.all([
    addLocalExcludes(dir, [config.tasksDir, config.memoryFile], {}, checkout.excludeFile),
    snapshotConfig(checkout.configPath),
  ]);
  return {
    dir,
    skip: null,
    readOnly: false,
    branch: prepared.branch,
    base: target.kind === 'new' ? target.base : null,
    openPr: target.kind === 'new' && config.createPr,
    auth,
    startSha: prepared.sha,
    gitConfig,
  };
}

/**
 * Commits what is left (as "work in progress" when the run did not finish), pushes without
 * force, and opens or updates the pull request. Never throws: every failure becomes the note.
 */
export async function deliver(
  plan: DeliveryPlan,
  ctx: RunContext,
  trigger: Trigger,
  config: ActionConfig,
  octokit: GitHubClient,
  redact: Redactor,
  input: DeliverInput,
): Promise<DeliveryView> {
  const view: DeliveryView = { branch: plan.branch, commits: 0, pushed: false, pullRequest: null, note: '' };
  if (plan.skip !== null || !plan.branch || !plan.startSha) return { ...view, note: plan.skip ?? '' };
  const opts = input.signal ? { signal: input.signal } : {};
  const tampered = await restoreConfig(plan.gitConfig);
  if (tampered) return { ...view, note: tampered };
  try {
    await commitAll(
      plan.dir,
      {
        message: commitMessage(trigger, input.done),
        author: config.commitAuthor,
        coAuthors: coAuthor(trigger),
        exclude: [config.tasksDir, config.memoryFile],
      },
      opts,
    );
    view.commits = await commitsSince(plan.dir, plan.startSha, opts);
  } catch (e) {
    return { ...view, note: `could not commit: ${redact(String(e))}` };
  }
  if (view.commits === 0) return { ...view, note: 'no changes' };
  const pushed = await push(plan.dir, plan.branch, plan.auth, opts);
  if (!pushed.ok) {
    const what = pushed.reason === 'rejected' ? 'was rejected (the branch moved on meanwhile)' : 'failed';
    const note = `push to ${plan.branch} ${what}: ${redact(pushed.message)}`;
    if (pushed.reason !== 'rejected') return { ...view, note };
    // Never force: keep the work on a branch of its own, for a person to merge.
    const aside = `${plan.branch}-run-${ctx.runId}`;
    const second = await push(plan.dir, aside, plan.auth, opts);
    if (!second.ok) return { ...view, note };
    return { ...view, branch: aside, pushed: true, note: `${note}; the work is on ${aside} instead` };
  }
  view.pushed = true;
  if (!plan.openPr || !plan.base) return view;
  try {
    const content = pullRequestContent({
      issue: trigger.thread ? { number: trigger.thread.number, title: trigger.thread.title } : null,
      request: trigger.request,
      done: input.done,
      summary: input.summary,
      tasks: input.tasks,
      runUrl: ctx.runUrl,
    });
    view.pullRequest = await openOrUpdatePullRequest(
      octokit,
      ctx.repo,
      {
        ...content,
        head: plan.branch,
        base: plan.base,
        draft: config.draftPr,
        // A cancelled run has seconds left: skip the review request (another spaced write).
        reviewer:
          trigger.sender && trigger.sender.type !== 'Bot' && !input.signal ? trigger.sender.login : null,
      },
      redact,
    );
  } catch (e) {
    view.note = `pushed, but the pull request could not be opened: ${redact(String(e))}`;
  }
  return view;
}

/**
 * The issue's branch: the one an earlier run pushed (`<prefix>issue-<n>` or
 * `<prefix>issue-<n>-<slug>`, whatever the title was then, so a renamed issue keeps its branch
 * and its pull request), preferring the current title's name; else the current title's name.
 * Also says whether origin has it, so that prepareBranch need not ask again.
 */
async function issueBranch(
  dir: string,
  prefix: string,
  thread: { number: number; title: string },
  header: CommandAuth | null,
): Promise<{ branch: string; onRemote: boolean }> {
  const wanted = issueBranchName({ issueNumber: thread.number, title: thread.title, prefix });
  const stem = `${prefix}issue-${thread.number}`;
  const { stdout } = await runGit(dir, ['ls-remote', '--heads', 'origin', `refs/heads/${stem}*`], {
    auth: header,
  });
  const earlier = stdout
    .split('\n')
    .map((line) => line.split('\t')[1]?.replace(/^refs\/heads\//, '') ?? '')
    .filter((name) => name === stem || name.startsWith(`${stem}-`))
    .sort();
  const branch = earlier.includes(wanted) ? wanted : (earlier[0] ?? wanted);
  return { branch, onRemote: earlier.includes(branch) };
}

/** `path`: `git rev-parse --path-format=absolute --git-path config`. */
async function snapshotConfig(path: string): Promise<DeliveryPlan['gitConfig']> {
  const content = await readFile(path, 'utf8');
  return { path, hash: sha256(content), content };
}

/**
 * Puts the git config back as it was before the agent ran. Returns why delivery must stop, or
 * null: when only the hash is known (the post step) and the config changed, it cannot be
 * restored, so nothing is delivered.
 */
async function restoreConfig(saved: DeliveryPlan['gitConfig']): Promise<string | null> {
  if (!saved) return null;
  const now = await readFile(saved.path, 'utf8').catch(() => '');
  if (sha256(now) === saved.hash) return null;
  if (saved.content === undefined)
    return 'the git config changed during the run, so nothing is pushed from the post step';
  await writeFile(saved.path, saved.content);
  return null;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A head repository that is another one, or that is gone (a deleted fork), cannot be pushed to. */
function isFork(headRepo: string | null, ctx: RunContext): boolean {
  return headRepo === null || headRepo.toLowerCase() !== `${ctx.repo.owner}/${ctx.repo.repo}`.toLowerCase();
}

async function defaultBranch(octokit: GitHubClient, ctx: RunContext, redact: Redactor): Promise<string> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}', {
      owner: ctx.repo.owner,
      repo: ctx.repo.repo,
    });
    return data.default_branch;
  } catch (e) {
    throw new Error(`could not read the repository's default branch: ${redact(String(e))}`, { cause: e });
  }
}

function commitMessage(trigger: Trigger, done: boolean): string {
  if (!done) return 'taskpilot: work in progress';
  const subject = trigger.thread
    ? `${trigger.thread.title} (#${trigger.thread.number})`
    : (trigger.request.split('\n', 1)[0] ?? '').slice(0, 60) || 'scheduled maintenance';
  return `taskpilot: ${subject}`;
}

function coAuthor(trigger: Trigger): GitIdentity[] {
  const who = trigger.sender;
  if (!who || who.type === 'Bot') return [];
  const email =
    who.id === undefined
      ? `${who.login}@users.noreply.github.com`
      : `${who.id}+${who.login}@users.noreply.github.com`;
  return [{ name: who.login, email }];
}
