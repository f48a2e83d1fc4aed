import type { TaskView } from '../agent/events.js';
import { toGitHubError } from './errors.js';
import type { RepoRef } from './event.js';
import type { GitHubClient } from './octokit.js';
import type { Redactor } from './redact.js';
import { breakMentions, inlineText, truncate } from './render-format.js';

export interface PullRequestRef {
  number: number;
  url: string;
  /** False when an open pull request for the branch already existed (its body is updated). */
  created: boolean;
}

export interface PullRequestContent {
  title: string;
  body: string;
}

/** Marks the title of a pull request whose run did not finish. */
const WIP = '[WIP] ';
const withoutWip = (title: string): string => (title.startsWith(WIP) ? title.slice(WIP.length) : title);

/**
 * Title and body of the pull request for a run's branch (pure). The body links the issue and
 * says `Closes #n` only when the agent finished (`done`), so an unfinished run never closes it.
 */
export function pullRequestContent(input: {
  issue: { number: number; title: string } | null;
  request: string;
  done: boolean;
  summary: string | null;
  tasks: readonly TaskView[];
  runUrl: string | null;
}): PullRequestContent {
  const subject = input.issue ? input.issue.title : input.request.split('\n', 1)[0] || 'maintenance';
  // A title is plain text, not markdown: one line, nothing escaped.
  const line = breakMentions(truncate(subject.replace(/\s+/g, ' ').trim(), 200));
  const title = `${input.done ? '' : WIP}taskpilot: ${line}`;
  const parts: string[] = [];
  if (input.issue) {
    parts.push(
      input.done ? `Closes #${input.issue.number}.` : `Work on #${input.issue.number} (not finished yet).`,
    );
  }
  if (input.summary) parts.push(`## Summary\n\n${breakMentions(truncate(input.summary, 20_000))}`);
  if (input.tasks.length > 0) {
    const lines = input.tasks.slice(0, 200).map((t) => {
      const mark = t.status === 'completed' ? 'x' : ' ';
      const note = t.status === 'failed' ? ' (failed)' : t.status === 'in_progress' ? ' (in progress)' : '';
      return `- [${mark}] ${t.id} ${inlineText(t.subject, 200)}${note}`;
    });
    parts.push(`## Tasks\n\n${lines.join('\n')}`);
  }
  if (input.runUrl) parts.push(`<sub>Opened by taskpilot in [this workflow run](${input.runUrl}).</sub>`);
  return { title, body: parts.join('\n\n') };
}

/**
 * Opens a pull request from `head` into `base`, or updates the body of the open one that
 * already exists for `head` (an earlier run's), and its title when that differs from `title`
 * only by the `[WIP] ` prefix. Asks `reviewer` for a review when given; a
 * refused review request (the reviewer is the author, or not a collaborator) is not an error.
 * The title and body are redacted (they carry the model's summary). A create is never retried
 * blindly: after a failure the open pull request is looked up again, as the create may have
 * landed. Throws GitHubError.
 */
export async function openOrUpdatePullRequest(
  octokit: GitHubClient,
  repo: RepoRef,
  request: PullRequestContent & { head: string; base: string; draft: boolean; reviewer: string | null },
  redact: Redactor,
): Promise<PullRequestRef> {
  const input = { ...request, title: redact(request.title), body: redact(request.body) };
  const findOpen = async () => {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
      ...repo,
      head: `${repo.owner}:${input.head}`,
      state: 'open',
      per_page: 1,
    });
    return data[0];
  };
  try {
    let pr: PullRequestRef;
    const open = await findOpen();
    if (open) {
      // The title follows the run's state only while it is still one taskpilot wrote for this
      // subject (`[WIP] ` added or dropped); a title someone edited is kept.
      const retitle = open.title !== input.title && withoutWip(open.title) === withoutWip(input.title);
      await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        ...repo,
        pull_number: open.number,
        body: input.body,
        ...(retitle ? { title: input.title } : {}),
      });
      pr = { number: open.number, url: open.html_url, created: false };
    } else {
      let created: { number: number; html_url: string };
      try {
        ({ data: created } = await octokit.request('POST /repos/{owner}/{repo}/pulls', {
          ...repo,
          head: input.head,
          base: input.base,
          title: input.title,
          body: input.body,
          draft: input.draft,
          request: { retries: 0 },
        }));
      } catch (error) {
        const landed = await findOpen();
        if (!landed) throw error;
        created = landed;
      }
      pr = { number: created.number, url: created.html_url, created: true };
    }
    if (input.reviewer) {
      await octokit
        .request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
          ...repo,
          pull_number: pr.number,
          reviewers: [input.reviewer],
        })
        .catch(() => undefined);
    }
    return pr;
  } catch (error) {
    throw toGitHubError(error, redact);
  }
}

/** Whether the pull request's head lives in another repository (a fork we cannot push to). */
export async function pullRequestHead(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
  redact: Redactor,
): Promise<{ branch: string; fork: boolean; headRepo: string }> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...repo,
      pull_number: number,
    });
    const headRepo = data.head.repo?.full_name ?? '';
    const fork = headRepo.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase();
    return { branch: data.head.ref, fork, headRepo };
  } catch (error) {
    throw toGitHubError(error, redact);
  }
}
