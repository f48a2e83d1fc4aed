import { sharedComments, type CommentReader, type IssueComment } from './comment-lookup.js';
import type { RepoRef } from './event.js';
import { isTaskpilotBody } from './markers.js';
import type { GitHubClient } from './octokit.js';
import type { Trigger } from './trigger.js';

/** Recent conversation comments given to the model as untrusted context, oldest first. */
export interface ThreadContext {
  comments: IssueComment[];
  /** Older comments left out by the limit (a lower bound once `maxScanned` stops the scan). */
  omitted: number;
}

export interface ThreadContextOptions {
  /** Most recent comments to keep. Default 20. */
  maxComments?: number;
  /** Logins whose comments are excluded (the token's own identity). Default: github-actions[bot]. */
  botLogins?: readonly string[];
  /** Stop reading once this many comments have been scanned. Default 300. */
  maxScanned?: number;
  signal?: AbortSignal;
  /** The thread's comments as other readers of this run share them (see sharedComments). */
  comments?: CommentReader;
}

export const emptyThreadContext: ThreadContext = { comments: [], omitted: 0 };

/**
 * Fetches the recent comments of the trigger's issue or PR. Excluded: the triggering comment,
 * comments created or edited after the trigger, taskpilot's own comments (marker or bot login).
 * Returns an empty context when the trigger has no thread. Throws GitHubError.
 */
export async function fetchThreadContext(
  octokit: GitHubClient,
  ctx: { repo: RepoRef },
  trigger: Trigger,
  options: ThreadContextOptions = {},
): Promise<ThreadContext> {
  if (!trigger.thread) return emptyThreadContext;
  const max = options.maxComments ?? 20;
  const maxScanned = options.maxScanned ?? 300;
  const bots = new Set((options.botLogins ?? ['github-actions[bot]']).map((l) => l.toLowerCase()));
  const cutoff = trigger.triggeredAt === null ? Infinity : Date.parse(trigger.triggeredAt);
  const kept: IssueComment[] = [];
  let omitted = 0;
  let scanned = 0;
  const thread = trigger.thread.number;
  const comments = options.comments ?? sharedComments(octokit, ctx.repo, thread, { signal: options.signal });
  for await (const comment of comments()) {
    if (++scanned > maxScanned) break;
    if (comment.id === trigger.comment?.id) continue;
    if (Date.parse(comment.updatedAt) > cutoff || Date.parse(comment.createdAt) > cutoff) continue;
    if (isTaskpilotBody(comment.body)) continue;
    if (comment.author && bots.has(comment.author.login.toLowerCase())) continue;
    if (kept.length < max) kept.push(comment);
    else omitted++;
  }
  return { comments: kept.reverse(), omitted };
}
