import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { example, type Payload } from '../github/fixtures.js';
import { runAction, type ActionRun, type ActionRunOptions } from './action-runner.js';
import { withHost } from './connect-proxy.js';
import { EMULATOR_API_KEY, startAnthropicEmulator, type AnthropicEmulator } from './anthropic-emulator.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';
import { GitHubEmulator, type RecordedRequest } from './github-emulator.js';

/**
 * One end-to-end scenario: a GitHub emulator seeded like the webhook examples, a Messages API
 * emulator, and a git workspace as actions/checkout leaves it (a clone of a local bare `origin`
 * holding `main` and the PR's head branch `changes`); `run()` runs the built dist/index.js
 * against them, with git isolated from the host's config.
 *
 * Seed: `Codertocat/Hello-World` with issue #1 and pull request #2 (the numbers the
 * @octokit/webhooks-examples payloads use), `Codertocat` with write access (the examples'
 * sender) and `octo-reader` with read access.
 */

export const REPO = 'Codertocat/Hello-World';
export const ISSUE = 1;
export const PR = 2;
export const WRITER = 'Codertocat';
export const READER = 'octo-reader';
export const GITHUB_TOKEN = 'ghs_e2eTokenValue1234567890abcdef';
/** GITHUB_RUN_ID of every run (main and post steps of one workflow run share it). */
export const RUN_ID = 4242;

export interface ScenarioOptions {
  /** The token the GitHub emulator requires and the action gets. Default GITHUB_TOKEN. */
  githubToken?: string;
}

export type ScenarioRunOptions = Omit<
  ActionRunOptions,
  'workspace' | 'githubUrl' | 'anthropicUrl' | 'githubToken' | 'anthropicKey'
> & {
  /** Host names the action gets in the emulators' URLs instead of 127.0.0.1 (see connect-proxy.ts). */
  hosts?: { github: string; anthropic: string };
};

export interface ScenarioRun extends ActionRun {
  /** Wall time from spawn to exit. */
  ms: number;
  /** The GitHub requests made while this run was going (the emulators outlive one run). */
  github: RecordedRequest[];
  /** Number of Messages API requests made while this run was going. */
  modelRequests: number;
}

export interface Scenario {
  gh: GitHubEmulator;
  api: AnthropicEmulator;
  /** The checked-out repository: a clone of `git.origin` on `main`, with README.md. */
  workspace: string;
  /** A directory outside the workspace, for files the tests' commands write (pids, markers). */
  scratch: string;
  git: GitFixture;
  githubToken: string;
  anthropicKey: string;
  run(options: ScenarioRunOptions): Promise<ScenarioRun>;
  /** The comments on an issue or PR, oldest first (none are seeded: these are taskpilot's). */
  comments(issueNumber: number): { id: number; body: string }[];
  /** Kills a run still going (a test that failed mid-run) and removes every temporary file. */
  close(): Promise<void>;
}

export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const githubToken = options.githubToken ?? GITHUB_TOKEN;
  const git = await createGitFixture();
  const workspace = git.workspace;
  await git.git(workspace, 'push', '--quiet', 'origin', 'main:refs/heads/changes');
  const scratch = path.join(git.root, 'scratch');
  await mkdir(scratch);
  const gitEnv = {
    GIT_CONFIG_NOSYSTEM: git.env['GIT_CONFIG_NOSYSTEM'] ?? '1',
    GIT_CONFIG_GLOBAL: git.env['GIT_CONFIG_GLOBAL'] ?? '',
  };

  const gh = await GitHubEmulator.start({ token: githubToken });
  gh.addRepo(REPO);
  gh.addIssue(REPO, {
    title: 'Spelling error in the README file',
    body: 'It looks like you accidently spelled.',
  });
  gh.addPullRequest(REPO, { title: 'Update the README with new information.', head: 'changes' });
  gh.setPermission(REPO, WRITER, 'write');
  gh.setPermission(REPO, READER, 'read');
  const api = await startAnthropicEmulator();

  const runnerTemps: string[] = [];
  const running = new Set<ChildProcess>();
  return {
    gh,
    api,
    workspace,
    scratch,
    git,
    githubToken,
    anthropicKey: EMULATOR_API_KEY,
    async run({ hosts, ...o }) {
      const firstGitHub = gh.requests.length;
      const firstModel = api.requests.length;
      const started = Date.now();
      const result = await runAction({
        ...o,
        runId: o.runId ?? RUN_ID,
        env: { ...gitEnv, ...o.env },
        onSpawn: (child) => {
          running.add(child);
          child.once('close', () => running.delete(child));
          o.onSpawn?.(child);
        },
        workspace,
        githubUrl: hosts ? withHost(gh.url, hosts.github) : gh.url,
        anthropicUrl: hosts ? withHost(api.url, hosts.anthropic) : api.url,
        githubToken,
        anthropicKey: EMULATOR_API_KEY,
      });
      const ms = Date.now() - started;
      if (result.env['RUNNER_TEMP']) runnerTemps.push(result.env['RUNNER_TEMP']);
      return {
        ...result,
        ms,
        github: gh.requests.slice(firstGitHub),
        modelRequests: api.requests.length - firstModel,
      };
    },
    comments: (issueNumber) => gh.comments(REPO, issueNumber).map(({ id, body }) => ({ id, body })),
    async close() {
      for (const child of running) child.kill('SIGKILL');
      await Promise.all([gh.close(), api.close()]);
      await Promise.all([
        git.cleanup(),
        ...runnerTemps.map((dir) => rm(dir, { recursive: true, force: true })),
      ]);
    },
  };
}

// ---- reading results ---------------------------------------------------------------------------

/** Requests that change something on GitHub (anything but GET and HEAD). */
export const writesOf = (requests: readonly RecordedRequest[]): RecordedRequest[] =>
  requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

/** The `body` field of each request that sent one (comment POSTs and PATCHes). */
export const bodiesOf = (requests: readonly RecordedRequest[]): string[] =>
  requests.flatMap((r) => {
    const body = (r.json as { body?: unknown } | undefined)?.body;
    return typeof body === 'string' ? [body] : [];
  });

/**
 * Stdout without the `::add-mask::` commands: those hand each secret to the runner so it can
 * mask the log, and are the only lines allowed to carry one.
 */
export const logWithoutMaskCommands = (stdout: string): string =>
  stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');

/** True while `pid` runs (a zombie counts as dead: it only waits to be reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Polls until `check` returns a value other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pid a command wrote to `file` (relative to `dir`), once it has. */
export const pidFile = (dir: string, file: string): Promise<number> =>
  waitFor(`${file}`, async () => {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => '');
    const pid = Number.parseInt(text, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  });

// ---- event payloads (from @octokit/webhooks-examples) ----------------------------------------

const sender = (login: string, type = 'User') => ({ login, id: 583231, type });

/** issue_comment `created` on issue #1, or on pull request #2 with `onPullRequest`. */
export function issueCommentPayload(
  body: string,
  options: { login?: string; type?: string; onPullRequest?: boolean } = {},
): Payload {
  const payload = example('issue_comment', 'created');
  const user = sender(options.login ?? WRITER, options.type);
  payload.comment = { ...payload.comment, body, user };
  payload.sender = user;
  if (options.onPullRequest) {
    payload.issue = {
      ...payload.issue,
      number: PR,
      title: 'Update the README with new information.',
      html_url: `https://github.com/${REPO}/pull/${PR}`,
      pull_request: { url: `https://api.github.com/repos/${REPO}/pulls/${PR}` },
    };
  }
  return payload;
}

/** pull_request_review_comment `created` on pull request #2. */
export function reviewCommentPayload(
  body: string,
  where: { path: string; line: number; diffHunk: string },
): Payload {
  const payload = example('pull_request_review_comment', 'created');
  payload.comment = {
    ...payload.comment,
    body,
    path: where.path,
    line: where.line,
    diff_hunk: where.diffHunk,
    user: sender(WRITER),
  };
  payload.sender = sender(WRITER);
  return payload;
}

/** issues `opened` (with the given labels on the issue) or `labeled` (with `label` just added). */
export function issuesPayload(action: 'opened' | 'labeled', labels: string[], label?: string): Payload {
  const payload = example('issues', action);
  payload.issue = { ...payload.issue, labels: labels.map((name) => ({ name })) };
  if (label !== undefined) payload.label = { ...payload.label, name: label };
  payload.sender = sender(WRITER);
  return payload;
}

/** pull_request `labeled` on #2 with `label` just added. */
export function pullRequestLabeledPayload(label: string): Payload {
  const payload = example('pull_request', 'labeled');
  payload.pull_request = { ...payload.pull_request, labels: [{ name: label }] };
  payload.label = { ...payload.label, name: label };
  payload.sender = sender(WRITER);
  return payload;
}

export function workflowDispatchPayload(): Payload {
  const payload = example('workflow_dispatch');
  payload.sender = sender(WRITER);
  return payload;
}

/** The schedule payload the runner writes (the webhook examples have none). */
export const schedulePayload = (): Payload => ({ schedule: '17 3 * * *' });

/** Registers for a test: starts a scenario and closes it when the test finishes. */
export async function useScenario(
  onTestFinished: (fn: () => Promise<void>) => void,
  options?: Parameters<typeof startScenario>[0],
): Promise<Scenario> {
  const s = await startScenario(options);
  onTestFinished(() => s.close());
  return s;
}
