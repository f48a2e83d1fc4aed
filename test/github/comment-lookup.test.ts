import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCommentByMarker, sharedComments, tokenLogin } from '../../src/github/comment-lookup.js';
import { GitHubError } from '../../src/github/errors.js';
import { progressMarker } from '../../src/github/markers.js';
import { ProgressComment } from '../../src/github/progress-comment.js';
import { findResumeState } from '../../src/github/resume-state.js';
import { fetchThreadContext } from '../../src/github/thread-context.js';
import type { GitHubEmulator } from '../support/github-emulator.js';
import { commentTriggerAt } from './fixtures.js';
import { FULL, REPO, fastOctokit, startEmulator } from './helpers.js';

/**
 * The start of a run reads one thread three ways (its progress comment's marker, an earlier
 * run's state, the recent conversation). A shared reader makes that one listing.
 */

let gh: GitHubEmulator;
beforeEach(async () => {
  gh = await startEmulator();
  gh.addIssue(FULL, { title: 'Broken build' });
  for (let i = 1; i <= 5; i++) gh.addComment(FULL, 1, { body: `comment ${i}`, user: 'alice' });
});
afterEach(() => gh.close());

const listings = () => gh.requestsTo('GET', '/repos/octo-org/octo-repo/issues/1/comments');
const bodies = async (walk: AsyncGenerator<{ body: string }>) => {
  const out: string[] = [];
  for await (const c of walk) out.push(c.body);
  return out;
};

describe('sharedComments', () => {
  it('walks newest first across pages, each page fetched once however many walks', async () => {
    const read = sharedComments(fastOctokit(gh), REPO, 1, { perPage: 2 });
    const expected = ['comment 5', 'comment 4', 'comment 3', 'comment 2', 'comment 1'];
    const [a, b] = await Promise.all([bodies(read()), bodies(read())]);
    expect(a).toEqual(expected);
    expect(b).toEqual(expected);
    expect(await bodies(read())).toEqual(expected);
    expect(listings().map((r) => r.query['page'])).toEqual(['1', '3', '2']);
  });

  it('serves the marker lookup, the resume state and the thread context with one request', async () => {
    const octokit = fastOctokit(gh);
    const comments = sharedComments(octokit, REPO, 1);
    // A trigger after every seeded comment, so that the thread context keeps them all.
    const decision = commentTriggerAt('2100-01-01T00:00:00Z', 999_999);
    const [comment, resumed, context] = await Promise.all([
      ProgressComment.create({
        octokit,
        repo: REPO,
        issueNumber: 1,
        runId: 9,
        runUrl: null,
        intervalMs: 1000,
        redact: (s) => s,
        comments,
      }),
      findResumeState(octokit, REPO, 1, { exceptRunId: 9, comments }),
      fetchThreadContext(octokit, { repo: REPO }, decision, { comments }),
    ]);
    expect(listings()).toHaveLength(1);
    expect(resumed).toBeNull();
    expect(context.comments.map((c) => c.body)).toHaveLength(5);
    expect(gh.comments(FULL, 1).at(-1)?.body).toContain(progressMarker(9));
    await comment.finalize('done');
  });

  it('fails every walk that reaches a page that could not be read', async () => {
    gh.fail({ status: 404, match: (r) => r.method === 'GET', times: 1 });
    const read = sharedComments(fastOctokit(gh), REPO, 1);
    await expect(bodies(read())).rejects.toBeInstanceOf(GitHubError);
    await expect(
      findCommentByMarker(fastOctokit(gh), REPO, 1, 'x', { comments: read }),
    ).rejects.toBeInstanceOf(GitHubError);
    expect(listings()).toHaveLength(1);
    // A new reader asks again.
    expect(await bodies(sharedComments(fastOctokit(gh), REPO, 1)()).then((b) => b.length)).toBe(5);
  });
});

describe('tokenLogin', () => {
  it('asks GET /user for a personal token, and not for an installation token', async () => {
    gh.route('GET', '/user', () => ({ status: 200, body: { login: 'octo-pat' } }));
    const octokit = fastOctokit(gh);
    expect(await tokenLogin(octokit, 'ghs_installationToken')).toBeNull();
    expect(gh.requestsTo('GET', '/user')).toHaveLength(0);
    expect(await tokenLogin(octokit, 'github_pat_personalToken')).toBe('octo-pat');
    expect(gh.requestsTo('GET', '/user')).toHaveLength(1);
  });
});
