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
  /** The login behind the token, when known (a PAT's user); see writtenByTaskpilot. */
  selfLogin?: string | null | undefined;
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

/**
 * Whether taskpilot wrote the comment: its author is a bot account (GITHUB_TOKEN and GitHub App
 * tokens comment as one) or the token's own user. Anyone can copy the hidden markers into a
 * comment of their own, so markers alone are never trusted.
 */
export function writtenByTaskpilot(comment: IssueComment, selfLogin: string | null | undefined): boolean {
  const author = comment.author;
  if (!author) return false;
  return author.type === 'Bot' || (!!selfLogin && author.login.toLowerCase() === selfLogin.toLowerCase());
}

/** The login of the token's user (PATs), or null for installation tokens, which cannot ask. Never throws. */
export async function tokenLogin(octokit: GitHubClient, signal?: AbortSignal): Promise<string | null> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated(
      signal ? { request: { signal, retries: 0 } } : {},
    );
    return data.login;
  } catch {
    return null;
  }
}

/** The newest comment taskpilot wrote whose body contains `marker`, or null. Throws GitHubError. */
export async function findCommentByMarker(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
  options: LookupOptions = {},
): Promise<IssueComment | null> {
  for await (const comment of commentsNewestFirst(octokit, repo, issueNumber, options)) {
    if (comment.body.includes(marker) && writtenByTaskpilot(comment, options.selfLogin)) return comment;
  }
  return null;
}
