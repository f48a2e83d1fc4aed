import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubError, toGitHubError } from '../../src/github/errors.js';
import { createOctokit } from '../../src/github/octokit.js';
import type { GitHubEmulator } from '../support/github-emulator.js';
import { FULL, REPO, TOKEN, captureLog, fastOctokit, startEmulator } from './helpers.js';

let gh: GitHubEmulator;
beforeEach(async () => {
  gh = await startEmulator();
  gh.addIssue(FULL, { title: 'One' });
});
afterEach(() => gh.close());

describe('createOctokit', () => {
  it('talks to the configured base URL with the token', async () => {
    const octokit = fastOctokit(gh);
    const { data } = await octokit.request('GET /repos/{owner}/{repo}', REPO);
    expect(data.default_branch).toBe('main');
    expect(gh.requests[0]?.headers['authorization']).toBe(`token ${TOKEN}`);
  });

  it('retries 5xx responses', async () => {
    gh.fail({ match: (r) => r.method === 'GET', status: 502, times: 2 });
    const { data } = await fastOctokit(gh).request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      ...REPO,
      issue_number: 1,
    });
    expect(data.title).toBe('One');
    expect(gh.requests.map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('gives up after the configured retries with a GitHubError', async () => {
    gh.fail({ status: 503, times: 10 });
    const octokit = createOctokit(TOKEN, {
      baseUrl: gh.url,
      retryWaitScale: 1,
      retries: 1,
      log: captureLog(),
    });
    const error = await octokit
      .request('GET /repos/{owner}/{repo}/issues/{issue_number}', { ...REPO, issue_number: 1 })
      .catch((e: unknown) => toGitHubError(e));
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({
      status: 503,
      method: 'GET',
      path: '/repos/octo-org/octo-repo/issues/1',
      retryable: true,
    });
    expect(gh.requests).toHaveLength(2);
  });

  it('waits out a secondary rate limit (retry-after) and retries', async () => {
    const log = captureLog();
    gh.fail({ match: (r) => r.method === 'POST', status: 403, retryAfter: 2, times: 1 });
    const { data } = await fastOctokit(gh, log).request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      {
        ...REPO,
        issue_number: 1,
        body: 'hi',
      },
    );
    expect(data.body).toBe('hi');
    expect(gh.comments(FULL, 1)).toHaveLength(1);
    expect(log.warnings.join('\n')).toContain('secondary rate limit on POST');
  });

  it('stops retrying rate limits after rateLimitRetries', async () => {
    gh.fail({ status: 403, times: 5 });
    const octokit = createOctokit(TOKEN, {
      baseUrl: gh.url,
      retryWaitScale: 1,
      rateLimitRetries: 1,
      log: captureLog(),
    });
    const error = await octokit
      .request('GET /repos/{owner}/{repo}', REPO)
      .catch((e: unknown) => toGitHubError(e));
    expect(error.status).toBe(403);
    expect(gh.requests).toHaveLength(2);
  });

  it('does not retry 4xx', async () => {
    const error = await fastOctokit(gh)
      .request('GET /repos/{owner}/{repo}/issues/{issue_number}', { ...REPO, issue_number: 99 })
      .catch((e: unknown) => toGitHubError(e));
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(gh.requests).toHaveLength(1);
  });
});

describe('GitHubError', () => {
  it('redacts tokens from messages and paths', () => {
    const error = new GitHubError('bad ghp_abcdefghijklmnopqrstuvwxyz0123456789 sk-ant-api03-abcdefghijkl', {
      status: 401,
      path: '/x?token=github_pat_abcdefghijklmnopqrstuvwxyz',
    });
    expect(error.message).toBe('bad *** ***');
    expect(error.path).toBe('/x?token=***');
  });

  it('turns aborts and unknown throws into status 0', () => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError', status: 500 });
    expect(toGitHubError(abort)).toMatchObject({ status: 0, retryable: true });
    expect(toGitHubError('boom')).toMatchObject({ status: 0, message: 'boom' });
  });
});
