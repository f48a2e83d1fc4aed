import { describe, expect, it } from 'vitest';
import { EventError, readRunContext } from '../../src/github/event.js';
import { contextFor, example, githubEnv } from './fixtures.js';

describe('readRunContext', () => {
  it('reads an issue_comment on an issue', () => {
    const ctx = contextFor('issue_comment', example('issue_comment', 'created'));
    expect(ctx).toMatchObject({
      eventName: 'issue_comment',
      repo: { owner: 'Codertocat', repo: 'Hello-World' },
      runId: 4242,
      runAttempt: 1,
      runUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/4242',
      apiUrl: 'https://api.github.com',
      actor: 'Codertocat',
    });
    expect(ctx.event).toEqual({
      name: 'issue_comment',
      action: 'created',
      sender: { login: 'Codertocat', type: 'User', id: 21031067 },
      thread: {
        kind: 'issue',
        number: 1,
        title: 'Spelling error in the README file',
        body: "It looks like you accidently spelled 'commit' with two 't's.",
        url: 'https://github.com/Codertocat/Hello-World/issues/1',
        author: { login: 'Codertocat', type: 'User', id: 21031067 },
        labels: ['bug'],
        updatedAt: '2019-05-15T15:20:21Z',
      },
      comment: {
        id: 492700400,
        body: "You are totally right! I'll get this fixed right away.",
        author: { login: 'Codertocat', type: 'User', id: 21031067 },
        createdAt: '2019-05-15T15:20:21Z',
        updatedAt: '2019-05-15T15:20:21Z',
        url: 'https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400',
      },
    });
  });

  it('marks an issue_comment on a pull request', () => {
    const payload = example('issue_comment', 'created');
    payload.issue = { ...payload.issue, pull_request: { url: 'x' }, body: null };
    const ctx = contextFor('issue_comment', payload);
    expect(ctx.event.name === 'issue_comment' && ctx.event.thread).toMatchObject({
      kind: 'pull_request',
      body: '',
    });
  });

  it('reads a review comment with path, line and diff hunk', () => {
    const ctx = contextFor('pull_request_review_comment', example('pull_request_review_comment', 'created'));
    expect(ctx.event.name).toBe('pull_request_review_comment');
    if (ctx.event.name !== 'pull_request_review_comment') return;
    expect(ctx.event.comment).toMatchObject({
      path: 'README.md',
      line: 1,
      diffHunk: '@@ -1 +1 @@\n-# Hello-World',
    });
    expect(ctx.event.thread).toMatchObject({
      kind: 'pull_request',
      number: 2,
      refs: { head: 'changes', base: 'master', headRepo: 'Codertocat/Hello-World' },
    });
  });

  it('reads label events', () => {
    const issues = contextFor('issues', example('issues', 'labeled'));
    expect(issues.event).toMatchObject({ name: 'issues', action: 'labeled', label: 'bug' });
    const pr = contextFor('pull_request', example('pull_request', 'labeled'));
    expect(pr.event).toMatchObject({
      name: 'pull_request',
      action: 'labeled',
      label: 'bug',
      thread: { number: 2 },
    });
  });

  it('reads schedule and dispatch events', () => {
    expect(contextFor('schedule', { schedule: '0 * * * *' }).event).toEqual({
      name: 'schedule',
      schedule: '0 * * * *',
    });
    expect(contextFor('workflow_dispatch', example('workflow_dispatch')).event).toMatchObject({
      name: 'workflow_dispatch',
    });
    expect(contextFor('repository_dispatch', example('repository_dispatch')).event).toMatchObject({
      name: 'repository_dispatch',
      action: 'on-demand-test',
    });
  });

  it("takes the default branch from the payload's repository, when it has one", () => {
    const payload = example('issue_comment', 'created');
    payload['repository'] = { ...(payload['repository'] as object), default_branch: 'trunk' };
    expect(contextFor('issue_comment', payload).defaultBranch).toBe('trunk');
    // The runner's schedule payload has no repository: the API is asked instead.
    expect(contextFor('schedule', { schedule: '0 * * * *' }).defaultBranch).toBeNull();
    payload['repository'] = { full_name: 'Codertocat/Hello-World', default_branch: 7 };
    expect(contextFor('issue_comment', payload).defaultBranch).toBeNull();
    // Another repository's branch is not this one's.
    payload['repository'] = { full_name: 'octo/other', default_branch: 'trunk' };
    expect(contextFor('issue_comment', payload).defaultBranch).toBeNull();
    // A re-run carries the original payload; the branch may have been renamed since.
    payload['repository'] = { full_name: 'codertocat/hello-world', default_branch: 'trunk' };
    expect(contextFor('issue_comment', payload).defaultBranch).toBe('trunk');
    const rerun = readRunContext(githubEnv('issue_comment', { GITHUB_RUN_ATTEMPT: '2' }), () =>
      JSON.stringify(payload),
    );
    expect(rerun.defaultBranch).toBeNull();
  });

  it('keeps other events as `other`', () => {
    expect(contextFor('push', { ref: 'refs/heads/main' }).event).toEqual({
      name: 'other',
      eventName: 'push',
      action: null,
    });
  });

  it('links to the attempt of a re-run and honours custom server and API URLs', () => {
    const ctx = readRunContext(
      githubEnv('schedule', {
        GITHUB_RUN_ATTEMPT: '3',
        GITHUB_SERVER_URL: 'https://ghe.example/',
        GITHUB_API_URL: 'https://ghe.example/api/v3/',
      }),
      () => '{}',
    );
    expect(ctx.runUrl).toBe('https://ghe.example/Codertocat/Hello-World/actions/runs/4242/attempts/3');
    expect(ctx.apiUrl).toBe('https://ghe.example/api/v3');
  });

  it.each([
    [{ GITHUB_EVENT_NAME: '' }, 'GITHUB_EVENT_NAME is not set'],
    [{ GITHUB_EVENT_PATH: '' }, 'GITHUB_EVENT_PATH is not set'],
    [{ GITHUB_REPOSITORY: 'just-a-name' }, 'GITHUB_REPOSITORY must be "owner/repo"'],
    [{ GITHUB_RUN_ID: 'abc' }, 'GITHUB_RUN_ID must be a positive integer'],
  ])('fails clearly on a bad environment %#', (patch, message) => {
    expect(() => readRunContext({ ...githubEnv('schedule'), ...patch }, () => '{}')).toThrow(message);
  });

  it('fails clearly on a missing, non-JSON or malformed payload', () => {
    const env = githubEnv('issue_comment');
    expect(() =>
      readRunContext(env, () => {
        throw new Error('ENOENT: no such file');
      }),
    ).toThrow('Cannot read the event payload at /github/workflow/event.json: ENOENT: no such file');
    expect(() => readRunContext(env, () => '{oops')).toThrow('is not valid JSON');
    expect(() => readRunContext(env, () => '[]')).toThrow('is not a JSON object');
    const payload = example('issue_comment', 'created');
    delete payload.comment;
    expect(() => readRunContext(env, () => JSON.stringify(payload))).toThrow(EventError);
    expect(() => readRunContext(env, () => JSON.stringify(payload))).toThrow(
      /The issue_comment event payload is malformed at comment: .*\(\/github\/workflow\/event\.json\)/,
    );
  });
});
