import { z } from 'zod';

/**
 * Webhook payload parsing: only the fields taskpilot uses, validated, in camelCase.
 * Unknown fields are dropped. Shapes follow @octokit/webhooks-examples.
 */

export interface Actor {
  login: string;
  /** 'User', 'Bot' or 'Organization'. */
  type: string;
  /** The account id, when the payload has it (for the `<id>+<login>@users.noreply.github.com` address). */
  id?: number | undefined;
}

/** An issue or a pull request, as it was when the event fired. */
export interface Thread {
  kind: 'issue' | 'pull_request';
  number: number;
  title: string;
  /** '' when the body is empty. */
  body: string;
  url: string;
  author: Actor;
  labels: string[];
  updatedAt: string;
  /** Present only for `pull_request*` payloads (an `issue_comment` payload does not carry refs). */
  refs?: { head: string; headSha: string; headRepo: string | null; base: string } | undefined;
}

export interface Comment {
  id: number;
  body: string;
  author: Actor;
  createdAt: string;
  updatedAt: string;
  url: string;
}

export interface ReviewComment extends Comment {
  path: string;
  /** The line in the new file, else the original line, else the diff position; null if unknown. */
  line: number | null;
  diffHunk: string;
}

/** The event that started the run. `other` covers every event taskpilot does not handle. */
export type GitHubEvent =
  | { name: 'issue_comment'; action: string; thread: Thread; comment: Comment; sender: Actor }
  | {
      name: 'pull_request_review_comment';
      action: string;
      thread: Thread;
      comment: ReviewComment;
      sender: Actor;
    }
  | { name: 'issues'; action: string; thread: Thread; label: string | null; sender: Actor }
  | { name: 'pull_request'; action: string; thread: Thread; label: string | null; sender: Actor }
  | { name: 'schedule'; schedule: string | null }
  | { name: 'workflow_dispatch'; sender: Actor | null }
  | { name: 'repository_dispatch'; action: string; sender: Actor | null }
  | { name: 'other'; eventName: string; action: string | null };

const ghost: Actor = { login: 'ghost', type: 'User' };

const actor = z
  .object({ login: z.string(), type: z.string().optional(), id: z.number().optional() })
  .nullable()
  .optional()
  .transform((u): Actor =>
    u ? { login: u.login, type: u.type ?? 'User', ...(u.id === undefined ? {} : { id: u.id }) } : ghost,
  );

const text = z
  .string()
  .nullable()
  .optional()
  .transform((s) => s ?? '');

const labels = z
  .array(z.object({ name: z.string() }))
  .nullable()
  .optional()
  .transform((ls) => (ls ?? []).map((l) => l.name));

/** What issues and pull requests share in payloads. */
const threadFields = {
  number: z.number().int(),
  title: z.string(),
  body: text,
  html_url: z.string(),
  user: actor,
  labels,
  updated_at: z.string(),
};

const issue = z.object({
  ...threadFields,
  pull_request: z.looseObject({}).nullable().optional(),
});

const pullRequest = z.object({
  ...threadFields,
  head: z.object({
    ref: z.string(),
    sha: z.string(),
    repo: z.object({ full_name: z.string() }).nullable().optional(),
  }),
  base: z.object({ ref: z.string() }),
});

const comment = z.object({
  id: z.number().int(),
  body: text,
  user: actor,
  created_at: z.string(),
  updated_at: z.string(),
  html_url: z.string(),
});

const reviewComment = comment.extend({
  path: z.string(),
  diff_hunk: text,
  line: z.number().int().nullable().optional(),
  original_line: z.number().int().nullable().optional(),
  position: z.number().int().nullable().optional(),
});

const label = z
  .object({ name: z.string() })
  .nullable()
  .optional()
  .transform((l) => l?.name ?? null);

function issueThread(i: z.infer<typeof issue>): Thread {
  return {
    kind: i.pull_request ? 'pull_request' : 'issue',
    number: i.number,
    title: i.title,
    body: i.body,
    url: i.html_url,
    author: i.user,
    labels: i.labels,
    updatedAt: i.updated_at,
  };
}

function prThread(p: z.infer<typeof pullRequest>): Thread {
  return {
    kind: 'pull_request',
    number: p.number,
    title: p.title,
    body: p.body,
    url: p.html_url,
    author: p.user,
    labels: p.labels,
    updatedAt: p.updated_at,
    refs: {
      head: p.head.ref,
      headSha: p.head.sha,
      headRepo: p.head.repo?.full_name ?? null,
      base: p.base.ref,
    },
  };
}

function toComment(c: z.infer<typeof comment>): Comment {
  return {
    id: c.id,
    body: c.body,
    author: c.user,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    url: c.html_url,
  };
}

const schemas = {
  issue_comment: z
    .object({ action: z.string(), issue, comment, sender: actor })
    .transform((p): GitHubEvent => ({
      name: 'issue_comment',
      action: p.action,
      thread: issueThread(p.issue),
      comment: toComment(p.comment),
      sender: p.sender,
    })),
  pull_request_review_comment: z
    .object({ action: z.string(), pull_request: pullRequest, comment: reviewComment, sender: actor })
    .transform((p): GitHubEvent => ({
      name: 'pull_request_review_comment',
      action: p.action,
      thread: prThread(p.pull_request),
      comment: {
        ...toComment(p.comment),
        path: p.comment.path,
        line: p.comment.line ?? p.comment.original_line ?? p.comment.position ?? null,
        diffHunk: p.comment.diff_hunk,
      },
      sender: p.sender,
    })),
  issues: z.object({ action: z.string(), issue, label, sender: actor }).transform((p): GitHubEvent => ({
    name: 'issues',
    action: p.action,
    thread: issueThread(p.issue),
    label: p.label,
    sender: p.sender,
  })),
  pull_request: z
    .object({ action: z.string(), pull_request: pullRequest, label, sender: actor })
    .transform((p): GitHubEvent => ({
      name: 'pull_request',
      action: p.action,
      thread: prThread(p.pull_request),
      label: p.label,
      sender: p.sender,
    })),
  schedule: z
    .object({ schedule: z.string().optional() })
    .transform((p): GitHubEvent => ({ name: 'schedule', schedule: p.schedule ?? null })),
  workflow_dispatch: z
    .object({ sender: actor.optional() })
    .transform((p): GitHubEvent => ({ name: 'workflow_dispatch', sender: p.sender ?? null })),
  repository_dispatch: z
    .object({ action: z.string().optional(), sender: actor.optional() })
    .transform((p): GitHubEvent => ({
      name: 'repository_dispatch',
      action: p.action ?? '',
      sender: p.sender ?? null,
    })),
} as const;

const otherEvent = z.object({ action: z.string().optional() });

/** A payload that does not have the shape its event name promises. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

/** Parses a decoded payload for `eventName`. Throws PayloadError naming the first bad field. */
export function parsePayload(eventName: string, payload: unknown): GitHubEvent {
  const schema = (schemas as Record<string, z.ZodType<GitHubEvent> | undefined>)[eventName];
  if (!schema) {
    const parsed = otherEvent.safeParse(payload);
    return { name: 'other', eventName, action: parsed.success ? (parsed.data.action ?? null) : null };
  }
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue0 = result.error.issues[0];
    const where = issue0 && issue0.path.length > 0 ? issue0.path.join('.') : '(root)';
    throw new PayloadError(
      `The ${eventName} event payload is malformed at ${where}: ${issue0?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

const repositoryOf = z.object({
  repository: z.object({ full_name: z.string(), default_branch: z.string().trim().min(1) }),
});

/**
 * The payload's `repository` (full name and default branch), or null when the payload has
 * none (schedule runs) or it is malformed. Unlike the event's own fields, never an error.
 */
export function payloadRepository(payload: unknown): { fullName: string; defaultBranch: string } | null {
  const parsed = repositoryOf.safeParse(payload);
  if (!parsed.success) return null;
  const { full_name: fullName, default_branch: defaultBranch } = parsed.data.repository;
  return { fullName, defaultBranch };
}
