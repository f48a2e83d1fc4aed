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
  const response = await octokit
    .request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
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
      // Typed number | bigint (int64); comment ids are far below 2^53, where numbers are exact.
      id: Number(c.id),
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
export function commentsNewestFirst(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  options: LookupOptions = {},
): AsyncGenerator<IssueComment> {
  return sharedComments(octokit, repo, issueNumber, options)();
}

/** Starts a newest-first walk over one thread's comments; every call starts from the newest. */
export type CommentReader = () => AsyncGenerator<IssueComment>;

/**
 * A CommentReader whose walks share their requests: each page is fetched once, by the first
 * walk that needs it, so several readers of the same thread at the start of a run (resume
 * state, thread context, the progress comment's marker) cost one listing, not one each.
 * A page that failed fails every walk that reaches it. Use a new reader to see new comments.
 * `options.signal` bounds every page request of every walk; a walk has no signal of its own.
 */
export function sharedComments(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  options: LookupOptions = {},
): CommentReader {
  const pages = new Map<number, ReturnType<typeof listPage>>();
  const page = (n: number) => {
    let pending = pages.get(n);
    if (!pending) {
      pending = listPage(octokit, repo, issueNumber, n, options);
      // Whoever awaits it sees the failure; an unread page must not be an unhandled rejection.
      pending.catch(() => undefined);
      pages.set(n, pending);
    }
    return pending;
  };
  return async function* () {
    const first = await page(1);
    for (let n = first.lastPage; n > 1; n--) yield* [...(await page(n)).comments].reverse();
    yield* [...first.comments].reverse();
  };
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

/**
 * The login of the token's user (PATs), or null for installation tokens, which cannot ask.
 * Those (GITHUB_TOKEN included) start with `ghs_`: GET /user would only answer 403, so it is
 * not sent. Never throws.
 */
export async function tokenLogin(
  octokit: GitHubClient,
  token: string,
  signal?: AbortSignal,
): Promise<string | null> {
  if (token.startsWith('ghs_')) return null;
  try {
    const { data } = await octokit.request('GET /user', signal ? { request: { signal, retries: 0 } } : {});
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
  options: LookupOptions & { comments?: CommentReader | undefined } = {},
): Promise<IssueComment | null> {
  const comments = options.comments ?? sharedComments(octokit, repo, issueNumber, options);
  for await (const comment of comments()) {
    if (comment.body.includes(marker) && writtenByTaskpilot(comment, options.selfLogin)) return comment;
  }
  return null;
}
