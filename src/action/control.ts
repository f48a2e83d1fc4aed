import { commentsNewestFirst, writtenByTaskpilot } from '../github/comment-lookup.js';
import { toGitHubError, type GitHubError } from '../github/errors.js';
import type { RepoRef } from '../github/event.js';
import { readStatusMarker } from '../github/markers.js';
import type { GitHubClient } from '../github/octokit.js';
import type { Redactor } from '../github/redact.js';
import { statusLabel } from '../github/render.js';
import { decodeResumeState } from '../github/resume-state.js';
import type { Trigger } from '../github/trigger.js';

export type ControlCommand = 'stop' | 'status';

/** Marks taskpilot's replies to control commands, so they never trigger and stay out of context. */
export const REPLY_MARKER = '<!-- taskpilot:reply -->';

const PROGRESS = /<!-- taskpilot:progress run=(\d+) -->/;

/** `/agent stop` and `/agent status` (nothing else in the request) are commands, not requests. */
export function controlCommand(trigger: Trigger): ControlCommand | null {
  if (trigger.kind !== 'comment' && trigger.kind !== 'review_comment') return null;
  const word = trigger.request.trim().toLowerCase().replace(/[.!]$/, '');
  return word === 'stop' || word === 'status' ? word : null;
}

/**
 * Carries out a control command on the trigger's thread without starting the model, and answers
 * with one short comment. `stop` cancels the run whose progress comment is still working,
 * through the Actions API; `status` reports the latest run's state. Returns the reply text.
 * Throws GitHubError; when the cancel request fails, after replying that it failed.
 */
export async function runControl(
  command: ControlCommand,
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  redact: Redactor,
  selfLogin: string | null = null,
): Promise<string> {
  const latest = await latestProgress(octokit, repo, issueNumber, selfLogin);
  let reply: string;
  let failure: GitHubError | undefined;
  if (command === 'stop') {
    if (!latest || latest.status !== 'working') {
      reply = 'No taskpilot run is in progress on this thread.';
    } else {
      try {
        await octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel', {
          ...repo,
          run_id: latest.runId,
        });
        reply = `⏹ Stopping taskpilot run ${latest.runId} ([progress](${latest.url})). Its work so far is pushed.`;
      } catch (error) {
        // Still answered on the thread, then thrown: the person who asked must learn it failed.
        failure = toGitHubError(error, redact);
        reply = `Could not stop taskpilot run ${latest.runId} ([progress](${latest.url})): ${cancelHint(failure)}`;
      }
    }
  } else if (!latest) {
    reply = 'No taskpilot run has reported on this thread yet.';
  } else {
    const status = latest.status ? statusLabel(latest.status) : 'unknown';
    const board = decodeResumeState(latest.body);
    const tasks = board
      ? ` · tasks ${board.tasks.filter((t) => t.status === 'completed').length}/${board.tasks.length} completed`
      : '';
    reply = `Latest taskpilot run ${latest.runId}: ${status}${tasks} ([progress](${latest.url})).`;
  }
  try {
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repo,
      issue_number: issueNumber,
      body: `${REPLY_MARKER}\n${reply}`,
    });
  } catch (error) {
    throw toGitHubError(error, redact);
  }
  if (failure) throw failure;
  return reply;
}

function cancelHint(error: GitHubError): string {
  if (error.status === 409) return 'GitHub says it has already finished.';
  if (error.status === 404) return 'GitHub does not know that run.';
  if (error.status === 403)
    return 'GitHub refused (403); the workflow needs the `actions: write` permission.';
  return `GitHub answered ${error.status || 'with a network error'}.`;
}

/** The newest progress comment taskpilot wrote on the thread (forged markers are skipped). */
async function latestProgress(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  selfLogin: string | null,
) {
  let scanned = 0;
  for await (const comment of commentsNewestFirst(octokit, repo, issueNumber)) {
    if (++scanned > 300) break;
    const run = PROGRESS.exec(comment.body)?.[1];
    if (run && writtenByTaskpilot(comment, selfLogin))
      return {
        runId: Number(run),
        status: readStatusMarker(comment.body),
        url: comment.url,
        body: comment.body,
      };
  }
  return null;
}
