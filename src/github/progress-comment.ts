import type { AgentEvent, EventSink } from '../agent/events.js';
import { findCommentByMarker, type CommentReader } from './comment-lookup.js';
import { toGitHubError } from './errors.js';
import type { RepoRef } from './event.js';
import { progressMarker, readStatusMarker } from './markers.js';
import type { GitHubClient } from './octokit.js';
import { redactDeep, type Redactor } from './redact.js';
import { renderProgressComment, statusHead } from './render.js';
import { endRun, initialRunState, reduce, type RunState, type RunStatus } from './run-state.js';
import { ThrottledWriter } from './throttled-writer.js';

export interface ProgressLog {
  warning: (message: string) => void;
}

export interface ProgressCommentOptions {
  octokit: GitHubClient;
  repo: RepoRef;
  /** The issue or PR that gets the comment. */
  issueNumber: number;
  runId: number;
  /** Link shown in the status line, or null. */
  runUrl: string | null;
  /** Minimum time between two edits (`progress-interval-seconds` × 1000). */
  intervalMs: number;
  /** Applied to every body before it is sent. */
  redact: Redactor;
  log?: ProgressLog;
  /** finalize() resolves within this. Default 5000 (the runner kills 10 s after SIGINT). */
  finalizeTimeoutMs?: number;
  /** One edit, and each create attempt, is aborted after this. Default 20000. */
  editTimeoutMs?: number;
  /** Pause between create attempts. Default 1000. */
  createRetryDelayMs?: number;
  /** The token's user, when known: its comments count as taskpilot's (see writtenByTaskpilot). */
  selfLogin?: string | null;
  /**
   * The thread's comments as other readers of this run share them (see sharedComments), for
   * the first look for the marker; a look after a failed attempt always lists them afresh.
   */
  comments?: CommentReader;
}

/**
 * Redacts the state's text before rendering (escaping splits tokens) and the body after.
 * `hidden` must be redacted by whoever built it (it may be opaque, e.g. base64).
 */
function safeBody(state: RunState, options: ProgressCommentOptions, hidden = ''): string {
  const { runId, runUrl, redact } = options;
  return redact(renderProgressComment(redactDeep(state, redact), { runId, runUrl, now: Date.now(), hidden }));
}

const consoleLog: ProgressLog = { warning: (message) => console.warn(message) };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The run's progress comment: created once (or found again by its marker), then only edited.
 * Edits are coalesced to at most one per interval; the latest state is always written by
 * flush() and finalize(). A failed edit is logged and never thrown.
 */
export class ProgressComment {
  private current: RunState;
  private readonly writer: ThrottledWriter<RunState>;
  private lastBody: string;
  private finalizing: Promise<boolean> | null = null;
  private hidden = '';

  private constructor(
    private readonly options: ProgressCommentOptions,
    readonly id: number,
    readonly url: string,
    body: string,
    state: RunState,
  ) {
    this.current = state;
    this.lastBody = body;
    const log = options.log ?? consoleLog;
    this.writer = new ThrottledWriter<RunState>({
      intervalMs: options.intervalMs,
      writeTimeoutMs: options.editTimeoutMs ?? 20_000,
      write: (value, signal) => this.edit(value, signal),
      onError: (error) =>
        log.warning(`Could not update the progress comment: ${toGitHubError(error, options.redact).message}`),
    });
  }

  /**
   * Finds this run's comment by its marker, else posts it. The POST is never retried blindly:
   * after a failure the marker is looked up again before another attempt (3 in all), so a POST
   * that landed despite an error is not duplicated. A failed lookup is retried the same way.
   * Throws GitHubError when it cannot be created.
   */
  static async create(
    options: ProgressCommentOptions,
    state: RunState = initialRunState(),
  ): Promise<ProgressComment> {
    const { octokit, repo, issueNumber } = options;
    const marker = progressMarker(options.runId);
    const body = safeBody(state, options);
    const timeoutMs = options.editTimeoutMs ?? 20_000;
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = await findCommentByMarker(octokit, repo, issueNumber, marker, {
          signal: AbortSignal.timeout(timeoutMs),
          selfLogin: options.selfLogin,
          comments: attempt === 1 ? options.comments : undefined,
        });
        if (existing) return new ProgressComment(options, existing.id, existing.url, existing.body, state);
        const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: repo.owner,
          repo: repo.repo,
          issue_number: issueNumber,
          body,
          request: { retries: 0, signal: AbortSignal.timeout(timeoutMs) },
        });
        return new ProgressComment(options, Number(data.id), data.html_url, body, state);
      } catch (error) {
        const gh = toGitHubError(error, options.redact);
        if (!gh.retryable || attempt >= 3) throw gh;
        await sleep(options.createRetryDelayMs ?? 1000);
      }
    }
  }

  /** The state built from every event handled so far. */
  get state(): RunState {
    return this.current;
  }

  /** Feeds one event; usable as an EventSink. Never throws. */
  readonly sink: EventSink = (event: AgentEvent): void => {
    this.current = reduce(this.current, event);
    if (!this.finalizing) this.writer.update(this.current);
  };

  /**
   * Sets a machine-readable block (an HTML comment, already redacted) written at the end of
   * every later body, e.g. the state the next run resumes from. It shrinks the room for the
   * visible part so the body stays under the limit.
   */
  setHidden(block: string): void {
    this.hidden = block;
  }

  /** Writes the latest state now, ignoring the interval. Never rejects. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Writes the final state at once and stops editing. `status` ends a run that got no run_end
   * (signal handler); a run that ended keeps its own status, and one that is still working with
   * no `status` given counts as failed. Resolves within `timeoutMs` (default `finalizeTimeoutMs`),
   * true when written.
   * Idempotent: later calls return the first call's promise.
   */
  finalize(
    status?: Exclude<RunStatus, 'working'>,
    error?: string,
    timeoutMs: number = this.options.finalizeTimeoutMs ?? 5000,
  ): Promise<boolean> {
    if (!this.finalizing) {
      this.current = endRun(
        this.current,
        status ?? 'failed',
        error ?? (status ? undefined : 'The run ended without a result'),
      );
      this.finalizing = this.writer.close(this.current, timeoutMs);
    }
    return this.finalizing;
  }

  private async edit(state: RunState, signal: AbortSignal): Promise<void> {
    const { octokit, repo } = this.options;
    const body = safeBody(state, this.options, this.hidden);
    if (body === this.lastBody) return;
    await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: repo.owner,
      repo: repo.repo,
      comment_id: this.id,
      body,
      request: { signal },
    });
    this.lastBody = body;
  }
}

/**
 * A sink for a progress comment that is still being created: events are held, in order, and
 * handed to the comment once it exists; with no comment (creation failed) they are dropped.
 * Lets the run start without waiting for the comment's round trips.
 */
export function heldUntilOpen(opening: Promise<{ sink: EventSink } | undefined>): EventSink {
  let held: AgentEvent[] | null = [];
  let target: EventSink | undefined;
  void opening.then(
    (comment) => {
      target = comment?.sink;
      for (const event of held ?? []) target?.(event);
      held = null;
    },
    () => (held = null),
  );
  return (event) => {
    if (held) held.push(event);
    else target?.(event);
  };
}

export type CancelMarkResult = 'marked' | 'finished' | 'not_found';

/**
 * For the post step: finds the run's progress comment; when its status is still working,
 * rewrites only the status to cancelled. Returns what it found. Throws GitHubError.
 */
export async function markCancelledIfUnfinished(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  runId: number,
  options: { redact?: Redactor; signal?: AbortSignal; selfLogin?: string | null } = {},
): Promise<CancelMarkResult> {
  const comment = await findCommentByMarker(octokit, repo, issueNumber, progressMarker(runId), {
    signal: options.signal,
    selfLogin: options.selfLogin,
  });
  if (!comment) return 'not_found';
  if (readStatusMarker(comment.body) !== 'working') return 'finished';
  const body = comment.body.replace(statusHead('working'), statusHead('cancelled'));
  try {
    await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: repo.owner,
      repo: repo.repo,
      comment_id: comment.id,
      body: options.redact ? options.redact(body) : body,
      ...(options.signal ? { request: { signal: options.signal } } : {}),
    });
  } catch (error) {
    throw toGitHubError(error, options.redact);
  }
  return 'marked';
}
