import { redactPatterns, type Redactor } from './redact.js';

/**
 * A failed GitHub API call. `status` is the HTTP status, or 0 when no response arrived
 * (network error, timeout, abort). The message is redacted at construction and the original
 * error is not kept, so a GitHubError is always safe to log or post.
 */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly status: number;
  readonly method: string | undefined;
  /** Request path without query string, e.g. `/repos/o/r/issues/comments/1`. */
  readonly path: string | undefined;
  /** `x-github-request-id` of the failed response, when there was one. */
  readonly requestId: string | undefined;

  constructor(
    message: string,
    init: {
      status: number;
      method?: string | undefined;
      path?: string | undefined;
      requestId?: string | undefined;
    },
    redact: Redactor = redactPatterns,
  ) {
    super(redact(message));
    this.status = init.status;
    this.method = init.method;
    this.path = init.path === undefined ? undefined : redact(init.path);
    this.requestId = init.requestId;
  }

  /** True for statuses where trying the same request later may succeed. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

interface RequestErrorLike extends Error {
  status: number;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined> };
}

function isRequestErrorLike(error: unknown): error is RequestErrorLike {
  return error instanceof Error && typeof (error as Partial<RequestErrorLike>).status === 'number';
}

function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url, 'http://github.invalid').pathname;
  } catch {
    return undefined;
  }
}

/**
 * Converts anything thrown by an Octokit call into a GitHubError (idempotent).
 * Octokit's RequestError keeps its status; aborts and timeouts become status 0.
 */
export function toGitHubError(error: unknown, redact: Redactor = redactPatterns): GitHubError {
  if (error instanceof GitHubError) return error;
  if (isRequestErrorLike(error)) {
    const aborted = error.name === 'AbortError' || error.name === 'TimeoutError';
    const requestId = error.response?.headers?.['x-github-request-id'];
    return new GitHubError(
      error.message,
      {
        status: aborted ? 0 : error.status,
        method: error.request?.method,
        path: pathOf(error.request?.url),
        requestId: requestId === undefined ? undefined : String(requestId),
      },
      redact,
    );
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new GitHubError(message, { status: 0 }, redact);
}
