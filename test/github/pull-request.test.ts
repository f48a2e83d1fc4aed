import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskView } from '../../src/agent/events.js';
import { GitHubError } from '../../src/github/errors.js';
import {
  openOrUpdatePullRequest,
  pullRequestContent,
  pullRequestHead,
} from '../../src/github/pull-request.js';
import { createRedactor } from '../../src/github/redact.js';
import type { GitHubEmulator } from '../support/github-emulator.js';
import { FULL, REPO, TOKEN, fastOctokit, startEmulator } from './helpers.js';

const redact = createRedactor([TOKEN]);
const task = (id: string, subject: string, status: TaskView['status']): TaskView => ({
  id,
  subject,
  status,
  owner: null,
  blockedBy: [],
});
const content = (patch: Partial<Parameters<typeof pullRequestContent>[0]> = {}) =>
  pullRequestContent({
    issue: { number: 12, title: 'Dates are off by one' },
    request: 'Dates are off by one\n\nSee the report.',
    done: true,
    summary: null,
    tasks: [],
    runUrl: null,
    ...patch,
  });

describe('pullRequestContent', () => {
  it('closes the issue only when the run finished', () => {
    const done = content({ done: true });
    expect(done.title).toBe('taskpilot: Dates are off by one');
    expect(done.body).toBe('Closes #12.');

    const unfinished = content({ done: false });
    expect(unfinished.title).toBe('[WIP] taskpilot: Dates are off by one');
    expect(unfinished.body).toBe('Work on #12 (not finished yet).');
    expect(unfinished.body).not.toMatch(/\b(close[sd]?|fix(e[sd])?|resolve[sd]?) #12/i);
  });

  it('takes a scheduled run’s subject from the first line of the request', () => {
    const scheduled = content({ issue: null, request: 'Update the dependencies\nand run the tests' });
    expect(scheduled.title).toBe('taskpilot: Update the dependencies');
    expect(scheduled.body).toBe('');
    expect(content({ issue: null, request: '' }).title).toBe('taskpilot: maintenance');
  });

  it('lists the summary, the tasks as a checklist and the run link, without mentioning anyone', () => {
    const { body } = content({
      summary: 'Fixed it; thanks @octocat.',
      tasks: [
        task('t1', 'Reproduce', 'completed'),
        task('t2', 'Fix `parseDate`', 'in_progress'),
        task('t3', 'Add a test', 'failed'),
        task('t4', 'Update docs', 'pending'),
      ],
      runUrl: 'https://github.com/o/r/actions/runs/1',
    });
    expect(body.split('\n\n')).toEqual([
      'Closes #12.',
      '## Summary',
      'Fixed it; thanks @\u200Boctocat.',
      '## Tasks',
      [
        '- [x] t1 Reproduce',
        '- [ ] t2 Fix \\`parseDate\\` (in progress)',
        '- [ ] t3 Add a test (failed)',
        '- [ ] t4 Update docs',
      ].join('\n'),
      '<sub>Opened by taskpilot in [this workflow run](https://github.com/o/r/actions/runs/1).</sub>',
    ]);
  });

  it('keeps a title as plain text: a PR title is not markdown, so nothing is escaped', () => {
    const { title } = content({ issue: { number: 3, title: 'Fix  parse_date for *all*\n[UTC] <zones>' } });
    expect(title).toBe('taskpilot: Fix parse_date for *all* [UTC] <zones>');
  });

  it('cuts a long title to one line of at most 200 characters of subject', () => {
    const { title } = content({ issue: { number: 3, title: 'x'.repeat(500) } });
    expect(title.length).toBeLessThanOrEqual('taskpilot: '.length + 200);
    expect(title).not.toContain('\n');
  });
});

describe('openOrUpdatePullRequest', () => {
  let gh: GitHubEmulator;
  beforeEach(async () => {
    gh = await startEmulator();
  });
  afterEach(() => gh.close());

  const input = (patch: Partial<Parameters<typeof openOrUpdatePullRequest>[2]> = {}) => ({
    title: 'taskpilot: Fix the dates',
    body: 'Closes #1.',
    head: 'taskpilot/issue-1-fix-the-dates',
    base: 'main',
    draft: true,
    reviewer: 'octocat' as string | null,
    ...patch,
  });
  const pulls = () => [...gh.store.requireRepo(FULL).issues.values()].filter((i) => i.pull);

  it('opens a draft pull request and asks the sender for a review', async () => {
    const pr = await openOrUpdatePullRequest(fastOctokit(gh), REPO, input(), redact);
    expect(pr).toEqual({ number: 1, url: 'https://github.com/octo-org/octo-repo/pull/1', created: true });
    const [created] = pulls();
    expect(created).toMatchObject({ title: 'taskpilot: Fix the dates', body: 'Closes #1.' });
    expect(created?.pull).toMatchObject({
      draft: true,
      head: { ref: 'taskpilot/issue-1-fix-the-dates' },
      base: { ref: 'main' },
      requestedReviewers: ['octocat'],
    });
  });

  it('opens a ready pull request with draft false, and asks no one without a reviewer', async () => {
    await openOrUpdatePullRequest(fastOctokit(gh), REPO, input({ draft: false, reviewer: null }), redact);
    expect(pulls()[0]?.pull).toMatchObject({ draft: false, requestedReviewers: [] });
    expect(gh.requestsTo('POST', /requested_reviewers$/)).toEqual([]);
  });

  it('updates the body of the open pull request for the branch instead of opening another', async () => {
    const existing = gh.addPullRequest(FULL, {
      title: 'taskpilot: Fix the dates',
      body: 'old body',
      head: 'taskpilot/issue-1-fix-the-dates',
    });
    const pr = await openOrUpdatePullRequest(fastOctokit(gh), REPO, input({ body: 'new body' }), redact);
    expect(pr).toMatchObject({ number: existing.number, created: false });
    expect(gh.requestsTo('POST', `/repos/${FULL}/pulls`)).toEqual([]);
    expect(pulls()).toHaveLength(1);
    expect(existing.body).toBe('new body');
    expect(existing.title).toBe('taskpilot: Fix the dates');
  });

  it('drops its own [WIP] prefix once a later run finishes, and keeps a title someone edited', async () => {
    const wip = gh.addPullRequest(FULL, {
      title: '[WIP] taskpilot: Fix the dates',
      head: 'taskpilot/issue-1-fix-the-dates',
    });
    await openOrUpdatePullRequest(fastOctokit(gh), REPO, input(), redact);
    expect(wip.title).toBe('taskpilot: Fix the dates');

    const edited = gh.addPullRequest(FULL, { title: 'Dates: off-by-one fix', head: 'taskpilot/issue-2-x' });
    await openOrUpdatePullRequest(fastOctokit(gh), REPO, input({ head: 'taskpilot/issue-2-x' }), redact);
    expect(edited.title).toBe('Dates: off-by-one fix');
  });

  it('opens a new pull request when the branch’s earlier one was closed', async () => {
    const closed = gh.addPullRequest(FULL, { title: 'old', head: 'taskpilot/issue-1-fix-the-dates' });
    closed.state = 'closed';
    const pr = await openOrUpdatePullRequest(fastOctokit(gh), REPO, input(), redact);
    expect(pr).toMatchObject({ created: true });
    expect(pr.number).not.toBe(closed.number);
  });

  it('does not fail when GitHub refuses the review request (the reviewer is the author)', async () => {
    const pr = await openOrUpdatePullRequest(
      fastOctokit(gh),
      REPO,
      input({ reviewer: 'github-actions[bot]' }),
      redact,
    );
    expect(pr.created).toBe(true);
    expect(gh.requestsTo('POST', /requested_reviewers$/).map((r) => r.status)).toEqual([422]);
  });

  it('throws a GitHubError with the status when the pull request cannot be opened', async () => {
    const error = await openOrUpdatePullRequest(fastOctokit(gh), REPO, input({ base: 'nope' }), redact).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ status: 422 });
  });
});

describe('pullRequestHead', () => {
  let gh: GitHubEmulator;
  beforeEach(async () => {
    gh = await startEmulator();
  });
  afterEach(() => gh.close());

  it('reads the head branch of a pull request from the same repository', async () => {
    const pr = gh.addPullRequest(FULL, { title: 'Same repo', head: 'feature/x' });
    await expect(pullRequestHead(fastOctokit(gh), REPO, pr.number, redact)).resolves.toEqual({
      branch: 'feature/x',
      fork: false,
      headRepo: FULL,
    });
  });

  it('flags a head in another repository, whatever the case of the names', async () => {
    const fork = gh.addPullRequest(FULL, { title: 'Fork', head: 'main', headRepo: 'someone/octo-repo' });
    await expect(pullRequestHead(fastOctokit(gh), REPO, fork.number, redact)).resolves.toEqual({
      branch: 'main',
      fork: true,
      headRepo: 'someone/octo-repo',
    });
    const upper = gh.addPullRequest(FULL, { title: 'Case', head: 'b', headRepo: 'OCTO-ORG/Octo-Repo' });
    await expect(pullRequestHead(fastOctokit(gh), REPO, upper.number, redact)).resolves.toMatchObject({
      fork: false,
    });
  });

  it('treats a deleted head repository as a fork (there is nothing to push to)', async () => {
    const pr = gh.addPullRequest(FULL, { title: 'Gone', head: 'patch-1' });
    gh.route('GET', '/repos/:owner/:repo/pulls/:number', () => ({
      status: 200,
      body: { number: pr.number, head: { ref: 'patch-1', sha: 'a'.repeat(40), repo: null } },
    }));
    await expect(pullRequestHead(fastOctokit(gh), REPO, pr.number, redact)).resolves.toEqual({
      branch: 'patch-1',
      fork: true,
      headRepo: '',
    });
  });

  it('throws a GitHubError for a pull request that does not exist', async () => {
    const error = await pullRequestHead(fastOctokit(gh), REPO, 99, redact).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ status: 404 });
  });
});
