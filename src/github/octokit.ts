import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
// The build the throttling plugin uses: importing 'bottleneck' would bundle a second copy.
import Bottleneck from 'bottleneck/light.js';
import { fetchFor } from '../net/fetch.js';

/**
 * Octokit with the runner's proxy settings (see fetchFor), throttling and retry. Built from its
 * parts because importing `@actions/github` parses the event file at import time, so a
 * malformed payload would crash the step before it could report a clear error. Callers use
 * `octokit.request('METHOD /route', …)`, typed per route by @octokit/types, rather than the
 * REST methods plugin: its 82 KB of endpoint tables were parsed at every start for a dozen
 * routes.
 */
const TaskpilotOctokit = Octokit.plugin(throttling, retry);

/** The Octokit instance every taskpilot GitHub module takes. */
export type GitHubClient = InstanceType<typeof TaskpilotOctokit>;

/** Octokit's logger shape. Debug and info are silent by default; warn and error go to the console. */
export interface OctokitLog {
  debug: (message: string) => void;
  info: (message: string) => void;
  warn: (message: string) => void;
  error: (message: string) => void;
}

export interface CreateOctokitOptions {
  /** API root (pass RunContext.apiUrl). Default https://api.github.com. */
  baseUrl?: string;
  /** Retries of a request that failed with 5xx or a network error. Default 3. */
  retries?: number;
  /** Retries after a primary or secondary rate limit response. Default 2. */
  rateLimitRetries?: number;
  /** A rate limit asking to wait longer than this is not retried. Default 60. */
  maxRateLimitWaitSeconds?: number;
  /**
   * Milliseconds waited per second of backoff or `retry-after`. Default 1000 (real seconds).
   * Tests pass a small value so retries are immediate.
   */
  retryWaitScale?: number;
  /**
   * Minimum milliseconds between two write requests of this client. Default: the throttling
   * plugin's spacing (1 s between writes, 3 s between notifying writes such as new comments),
   * shared by every client of the process. When set, the client gets its own limiters.
   */
  writeSpacingMs?: number;
  userAgent?: string;
  log?: OctokitLog;
}

const silentLog: OctokitLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

let clientCount = 0;

/**
 * Builds an Octokit with the throttling and retry plugins. Retries are safe for GET and PATCH;
 * a retried POST may apply twice, so callers that create resources must be idempotent
 * (see progress-comment.ts, which looks for its marker before posting).
 */
export function createOctokit(token: string, options: CreateOctokitOptions = {}): GitHubClient {
  const log = options.log ?? silentLog;
  const scale = options.retryWaitScale ?? 1000;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const shouldRetry =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const retrying = retryCount < rateLimitRetries && retryAfter <= maxWait;
      log.warn(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}; ` +
          (retrying ? `retrying after ${retryAfter}s` : 'giving up'),
      );
      return retrying;
    };

  clientCount += 1;
  const spacing = options.writeSpacingMs;
  const ownLimiters =
    spacing === undefined
      ? {}
      : {
          write: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing }),
          notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing }),
        };

  const baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  return new TaskpilotOctokit({
    auth: `token ${token}`,
    baseUrl,
    request: { fetch: fetchFor(baseUrl) },
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
    log,
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: scale },
    throttle: {
      id: spacing === undefined ? 'taskpilot' : `taskpilot-${clientCount}`,
      retryAfterBaseValue: scale,
      onRateLimit: shouldRetry('primary'),
      onSecondaryRateLimit: shouldRetry('secondary'),
      ...ownLimiters,
    },
  });
}
