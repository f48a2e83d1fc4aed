import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { example, type Payload } from '../github/fixtures.js';
import { runAction, type ActionRun, type ActionRunOptions } from './action-runner.js';
import {
  EMULATOR_API_KEY,
  startAnthropicEmulator,
  type AnthropicEmulator,
  type MessagesBody,
} from './anthropic-emulator.js';
import { createGitFixture, startGitHttpServer, type GitFixture, type GitHttpServer } from './git-fixture.js';
import { GitHubEmulator, type EmuComment, type RecordedRequest } from './github-emulator.js';

/**
 * End-to-end delivery scenarios: the built action against the GitHub and Messages API
 * emulators, with a REAL bare repository as the workspace's `origin`, so that branches,
 * commits and pushes can be checked on the remote itself (`s.origin('log', …)`).
 *
 * Seed (the numbers @octokit/webhooks-examples use):
 * - `Codertocat/Hello-World`, default branch `main`; Codertocat (id 21031067) has write access;
 * - issue #1 "Spelling error in the README file";
 * - pull request #2 from `changes` (a branch of origin one commit ahead of main);
 * - pull request #3 from `octo-fork/Hello-World:patch-1` (a fork).
 *
 * The workspace is a clone of origin on `main`, as actions/checkout leaves it for comment,
 * label and schedule events. `checkout()` makes another one, for a later run in a new job.
 */

export const REPO = 'Codertocat/Hello-World';
export const ISSUE = 1;
export const ISSUE_TITLE = 'Spelling error in the README file';
export const ISSUE_BRANCH = 'taskpilot/issue-1-spelling-error-in-the-readme-file';
export const PR = 2;
export const PR_HEAD = 'changes';
export const FORK_PR = 3;
export const FORK = 'octo-fork/Hello-World';
export const SENDER = { login: 'Codertocat', id: 21031067, type: 'User' } as const;
export const GITHUB_TOKEN = 'ghs_deliveryTokenValue0123456789abcdefXYZ';
export const BOT = { name: 'taskpilot[bot]', email: 'taskpilot[bot]@users.noreply.github.com' };

export interface DeliveryRunOptions {
  eventName: string;
  payload: unknown;
  inputs?: Record<string, string>;
  runId?: number;
  env?: Record<string, string>;
  /** Default: the scenario's workspace. */
  workspace?: string;
  onSpawn?: ActionRunOptions['onSpawn'];
  /** Saved state of a main step: runs the post step. */
  state?: Record<string, string>;
}

export interface DeliveryRun extends ActionRun {
  ms: number;
  /** GitHub requests made during this run. */
  github: RecordedRequest[];
  /** Messages API request bodies of this run, in order. */
  model: MessagesBody[];
}

export interface DeliveryScenario {
  gh: GitHubEmulator;
  api: AnthropicEmulator;
  git: GitFixture;
  workspace: string;
  /** A directory outside every checkout. */
  scratch: string;
  /** The sha of `main` on origin (also the fixture's initial commit). */
  mainSha: string;
  /** The sha of `changes` (PR #2's head) on origin before any run. */
  changesSha: string;
  run(options: DeliveryRunOptions): Promise<DeliveryRun>;
  /** `git --git-dir=<origin> <args>`: trimmed stdout. */
  origin(...args: string[]): Promise<string>;
  /** The sha of `refs/heads/<branch>` on origin, or null when origin has no such branch. */
  originSha(branch: string): Promise<string | null>;
  /** Origin's branch names, sorted. */
  originBranches(): Promise<string[]>;
  /** A fresh clone of origin on `main` (a new job's checkout). */
  checkout(name: string): Promise<string>;
  /** Serves origin over smart HTTP (token required) and points `dir`'s origin at it. */
  serveOriginOverHttp(dir: string): Promise<GitHttpServer>;
  comments(issueNumber: number): EmuComment[];
  close(): Promise<void>;
}

export async function startDeliveryScenario(): Promise<DeliveryScenario> {
  const git = await createGitFixture();
  const scratch = path.join(git.root, 'scratch');
  await mkdir(scratch);
  const seed = await git.clone('seed-changes');
  await git.git(seed, 'checkout', '--quiet', '-b', PR_HEAD);
  const changesSha = await git.commitFile(seed, 'CHANGES.md', 'new information\n', 'Update the README');
  await git.git(seed, 'push', '--quiet', 'origin', `HEAD:refs/heads/${PR_HEAD}`);
  await rm(seed, { recursive: true, force: true });

  const gh = await GitHubEmulator.start({ token: GITHUB_TOKEN });
  gh.addRepo(REPO);
  gh.addIssue(REPO, { title: ISSUE_TITLE, body: 'It looks like you accidently spelled commit.' });
  gh.addPullRequest(REPO, { title: 'Update the README with new information.', head: PR_HEAD });
  gh.addPullRequest(REPO, { title: 'Fix a typo', head: 'patch-1', headRepo: FORK, user: 'octo-forker' });
  gh.setPermission(REPO, SENDER.login, 'write');
  const api = await startAnthropicEmulator();

  const gitEnv = {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: git.env['GIT_CONFIG_GLOBAL'] ?? '',
  };
  const cleanups: (() => Promise<void>)[] = [];
  const origin = (...args: string[]) => git.git(git.root, `--git-dir=${git.origin}`, ...args);

  return {
    gh,
    api,
    git,
    workspace: git.workspace,
    scratch,
    mainSha: git.initialSha,
    changesSha,
    async run(o) {
      const firstGitHub = gh.requests.length;
      const firstModel = api.requests.length;
      const started = Date.now();
      const result = await runAction({
        eventName: o.eventName,
        payload: o.payload,
        ...(o.inputs ? { inputs: o.inputs } : {}),
        ...(o.runId === undefined ? {} : { runId: o.runId }),
        ...(o.onSpawn ? { onSpawn: o.onSpawn } : {}),
        ...(o.state ? { state: o.state } : {}),
        repository: REPO,
        env: { ...gitEnv, ...o.env },
        workspace: o.workspace ?? git.workspace,
        githubUrl: gh.url,
        anthropicUrl: api.url,
        githubToken: GITHUB_TOKEN,
        anthropicKey: EMULATOR_API_KEY,
      });
      const temp = result.env['RUNNER_TEMP'];
      if (temp) cleanups.push(() => rm(temp, { recursive: true, force: true }));
      return {
        ...result,
        ms: Date.now() - started,
        github: gh.requests.slice(firstGitHub),
        model: api.requests.slice(firstModel).flatMap((r) => (r.body ? [r.body] : [])),
      };
    },
    origin,
    async originSha(branch) {
      const out = await origin('for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`);
      return out === '' ? null : out;
    },
    async originBranches() {
      const out = await origin('for-each-ref', '--format=%(refname:short)', 'refs/heads/');
      return out.split('\n').filter(Boolean).sort();
    },
    checkout: (name) => git.clone(name),
    async serveOriginOverHttp(dir) {
      const server = await startGitHttpServer(git.root, [GITHUB_TOKEN], git.env);
      cleanups.push(() => server.close());
      await git.git(dir, 'remote', 'set-url', 'origin', `${server.url}/origin.git`);
      return server;
    },
    comments: (n) => gh.comments(REPO, n),
    async close() {
      await Promise.all([gh.close(), api.close(), ...cleanups.map((c) => c())]);
      await git.cleanup();
    },
  };
}

// ---- payloads ----------------------------------------------------------------------------------

const sender = { ...SENDER };

/** issue_comment `created` by Codertocat on issue #1, or on pull request `pr`. */
export function commentPayload(body: string, options: { pr?: number } = {}): Payload {
  const payload = example('issue_comment', 'created');
  payload.comment = { ...payload.comment, body, user: sender };
  payload.sender = sender;
  const pr = options.pr;
  if (pr !== undefined) {
    payload.issue = {
      ...payload.issue,
      number: pr,
      title: pr === PR ? 'Update the README with new information.' : 'Fix a typo',
      html_url: `https://github.com/${REPO}/pull/${pr}`,
      pull_request: { url: `https://api.github.com/repos/${REPO}/pulls/${pr}` },
    };
  }
  return payload;
}

/** issues `labeled` with `agent` on issue #1, by Codertocat. */
export function issueLabeledPayload(): Payload {
  const payload = example('issues', 'labeled');
  const label = { ...payload.label, name: 'agent' };
  payload.label = label;
  payload.issue = { ...payload.issue, title: ISSUE_TITLE, labels: [label] };
  payload.sender = sender;
  return payload;
}

/** pull_request `labeled` with `agent` on #3, whose head is `octo-fork/Hello-World:patch-1`. */
export const forkPrLabeledPayload = (): Payload => prLabeledPayload(FORK_PR, 'patch-1', FORK);

/** pull_request `labeled` with `agent` on #2, whose head is `changes` in the same repository. */
export const sameRepoPrLabeledPayload = (): Payload => prLabeledPayload(PR, PR_HEAD, REPO);

function prLabeledPayload(number: number, head: string, headRepo: string): Payload {
  const payload = example('pull_request', 'labeled');
  const label = { ...payload.label, name: 'agent' };
  const pr = payload.pull_request as Record<string, unknown> & {
    head: Record<string, unknown> & { repo: Record<string, unknown> };
    base: Record<string, unknown>;
  };
  payload.label = label;
  payload.sender = sender;
  payload.pull_request = {
    ...pr,
    number,
    title: number === PR ? 'Update the README with new information.' : 'Fix a typo',
    labels: [label],
    head: {
      ...pr.head,
      ref: head,
      repo: { ...pr.head.repo, full_name: headRepo, fork: headRepo !== REPO },
    },
    base: { ...pr.base, ref: 'main' },
  };
  return payload;
}

export const schedulePayload = (): Payload => ({ schedule: '0 3 * * *' });

// ---- reading results ---------------------------------------------------------------------------

/** The `**Work:**` line of a progress comment, or '' when it has none. */
export const workLine = (body: string): string => /^\*\*Work:\*\*.*$/m.exec(body)?.[0] ?? '';

/** Author, committer, subject and body of a commit on origin. */
export async function commitOn(
  s: DeliveryScenario,
  rev: string,
): Promise<{ author: string; committer: string; subject: string; body: string; files: string[] }> {
  const sep = '\u001f';
  const out = await s.origin('log', '-1', `--format=%an <%ae>${sep}%cn <%ce>${sep}%s${sep}%b`, rev);
  const [author = '', committer = '', subject = '', body = ''] = out.split(sep);
  const files = (await s.origin('show', '--format=', '--name-only', rev)).split('\n').filter(Boolean);
  return { author, committer, subject, body: body.trim(), files };
}

/** Polls until `check` is truthy; throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Registers for a test: starts a delivery scenario and closes it when the test finishes. */
export async function useDeliveryScenario(
  onTestFinished: (fn: () => Promise<void>) => void,
): Promise<DeliveryScenario> {
  const s = await startDeliveryScenario();
  onTestFinished(() => s.close());
  return s;
}
