import { toGitHubError } from './errors.js';
import type { RepoRef } from './event.js';
import type { GitHubClient } from './octokit.js';

/** An issue or PR conversation comment, as taskpilot reads it back from the API. */
export interface IssueComment {
  id: number;
  body: string;
  author: { login: string; type: string } | null;
  createdAt: string;
  updatedAt: string;
  url: string;
}

export interface LookupOptions {
  signal?: AbortSignal | undefined;
  /** Page size, 1–100. Default 100. */
  perPage?: number;
}

const LAST_PAGE = /<[^>]*[?&]page=(\d+)[^>]*>;\s*rel="last"/;

async function listPage(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  page: number,
  options: LookupOptions,
): Promise<{ comments: IssueComment[]; lastPage: number }> {
  const response = await octokit.rest.issues
    .listComments({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: issueNumber,
      per_page: options.perPage ?? 100,
      page,
      ...(options.signal ? { request: { signal: options.signal } } : {}),
    })
    .catch((error: unknown) => {
      throw toGitHubError(error);
    });
  const last = LAST_PAGE.exec(response.headers.link ?? '')?.[1];
  return {
    comments: response.data.map((c) => ({
      id: c.id,
      body: c.body ?? '',
      author: c.user ? { login: c.user.login, type: c.user.type } : null,
      createdAt: c.created_at,
      updatedAt: c.updated_at,
      url: c.html_url,
    })),
    lastPage: last === undefined ? page : Number(last),
  };
}

/**
 * Yields the conversation comments of an issue or PR, newest first, fetching the last page
 * first so that recent comments cost one or two requests however long the thread is.
 * Throws GitHubError when a page cannot be read.
 */
export async function* commentsNewestFirst(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  options: LookupOptions = {},
): AsyncGenerator<IssueComment> {
  const first = await listPage(octokit, repo, issueNumber, 1, options);
  for (let page = first.lastPage; page > 1; page--) {
    const { comments } = await listPage(octokit, repo, issueNumber, page, options);
    yield* comments.reverse();
  }
  yield* first.comments.reverse();
}

/** The newest comment whose body contains `marker`, or null. Throws GitHubError. */
export async function findCommentByMarker(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
  options: LookupOptions = {},
): Promise<IssueComment | null> {
  for await (const comment of commentsNewestFirst(octokit, repo, issueNumber, options)) {
    if (comment.body.includes(marker)) return comment;
  }
  return null;
}
