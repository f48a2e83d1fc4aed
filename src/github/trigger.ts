import type { Actor, Comment, ReviewComment, Thread } from './event-payload.js';
import type { RunContext } from './event.js';
import { isTaskpilotBody } from './markers.js';
import { extractRequest, findTriggerPhrase } from './trigger-phrase.js';
import { sanitizeUntrusted } from './sanitize.js';

/** The inputs that decide whether an event triggers. */
export interface TriggerConfig {
  triggerPhrase: string;
  triggerLabel: string;
  prompt: string | undefined;
  progressIssue: number | undefined;
}

export type TriggerKind =
  | 'comment'
  | 'review_comment'
  | 'issue_opened'
  | 'issue_labeled'
  | 'pull_request_labeled'
  | 'schedule'
  | 'workflow_dispatch'
  | 'repository_dispatch';

/** An accepted trigger. Permission is checked separately (permissions.ts). */
export interface Trigger {
  type: 'trigger';
  kind: TriggerKind;
  /**
   * What the model is asked to do, sanitized: the comment text after the phrase, the issue or PR
   * title and body for label runs, or the `prompt` input for schedule and dispatch runs.
   * '' when a comment holds only the phrase.
   */
  request: string;
  /** The `prompt` input as standing instructions (comment and label runs only), else null. */
  instructions: string | null;
  /** The issue or PR the run is about; null for schedule and dispatch runs. */
  thread: Thread | null;
  /** The triggering comment (a ReviewComment for review comments). */
  comment: Comment | ReviewComment | null;
  /** Who must have write access; null for schedule and dispatch runs, which are trusted. */
  sender: Actor | null;
  /** Context written or edited after this ISO time is ignored; null when there is no thread. */
  triggeredAt: string | null;
  /** Issue or PR number for the progress comment, or null to post none. */
  progressTarget: number | null;
}

export interface Skip {
  type: 'skip';
  /** One line, for the log notice. */
  reason: string;
}

export type TriggerDecision = Trigger | Skip;

const skip = (reason: string): Skip => ({ type: 'skip', reason });

const sameLabel = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

function standing(config: TriggerConfig): string | null {
  const text = config.prompt?.trim();
  return text ? text : null;
}

function commentTrigger(
  kind: 'comment' | 'review_comment',
  action: string,
  thread: Thread,
  comment: Comment | ReviewComment,
  sender: Actor,
  config: TriggerConfig,
): TriggerDecision {
  if (action !== 'created')
    return skip(`${kind === 'comment' ? 'issue_comment' : 'review comment'} "${action}" does not trigger`);
  if (isTaskpilotBody(comment.body)) return skip(`comment ${comment.id} was written by taskpilot`);
  const body = sanitizeUntrusted(comment.body);
  const match = findTriggerPhrase(body, config.triggerPhrase);
  if (!match) return skip(`comment ${comment.id} does not contain "${config.triggerPhrase}"`);
  return {
    type: 'trigger',
    kind,
    request: extractRequest(body, match),
    instructions: standing(config),
    thread,
    comment,
    sender,
    triggeredAt: comment.createdAt,
    progressTarget: thread.number,
  };
}

function threadRequest(thread: Thread): string {
  const body = sanitizeUntrusted(thread.body);
  return body ? `${sanitizeUntrusted(thread.title)}\n\n${body}` : sanitizeUntrusted(thread.title);
}

function labelTrigger(
  kind: 'issue_opened' | 'issue_labeled' | 'pull_request_labeled',
  thread: Thread,
  sender: Actor,
  config: TriggerConfig,
): Trigger {
  return {
    type: 'trigger',
    kind,
    request: threadRequest(thread),
    instructions: standing(config),
    thread,
    comment: null,
    sender,
    triggeredAt: thread.updatedAt,
    progressTarget: thread.number,
  };
}

function promptTrigger(
  kind: 'schedule' | 'workflow_dispatch' | 'repository_dispatch',
  config: TriggerConfig,
): TriggerDecision {
  const prompt = config.prompt?.trim();
  if (!prompt) return skip(`a ${kind} run needs the "prompt" input; it is empty`);
  return {
    type: 'trigger',
    kind,
    request: prompt,
    instructions: null,
    thread: null,
    comment: null,
    sender: null,
    triggeredAt: null,
    progressTarget: config.progressIssue ?? null,
  };
}

/**
 * Decides whether the event starts a run (pure).
 * - issue_comment / pull_request_review_comment `created`: the phrase as a whole word outside
 *   code and quotes; never a comment that carries a taskpilot marker.
 * - issues `opened` with the label, `labeled` with the label just added; pull_request `labeled`
 *   with the label just added. Labels compare case-insensitively.
 * - schedule, workflow_dispatch, repository_dispatch: when `prompt` is set.
 * Everything else is a Skip with a one-line reason.
 */
export function evaluateTrigger(ctx: Pick<RunContext, 'event'>, config: TriggerConfig): TriggerDecision {
  const event = ctx.event;
  switch (event.name) {
    case 'issue_comment':
      return commentTrigger('comment', event.action, event.thread, event.comment, event.sender, config);
    case 'pull_request_review_comment':
      return commentTrigger(
        'review_comment',
        event.action,
        event.thread,
        event.comment,
        event.sender,
        config,
      );
    case 'issues':
      if (event.action === 'opened') {
        return event.thread.labels.some((l) => sameLabel(l, config.triggerLabel))
          ? labelTrigger('issue_opened', event.thread, event.sender, config)
          : skip(`issue #${event.thread.number} was opened without the "${config.triggerLabel}" label`);
      }
      if (event.action === 'labeled') {
        return event.label !== null && sameLabel(event.label, config.triggerLabel)
          ? labelTrigger('issue_labeled', event.thread, event.sender, config)
          : skip(`label "${event.label ?? ''}" is not "${config.triggerLabel}"`);
      }
      return skip(`issues "${event.action}" does not trigger`);
    case 'pull_request':
      if (event.action !== 'labeled') return skip(`pull_request "${event.action}" does not trigger`);
      return event.label !== null && sameLabel(event.label, config.triggerLabel)
        ? labelTrigger('pull_request_labeled', event.thread, event.sender, config)
        : skip(`label "${event.label ?? ''}" is not "${config.triggerLabel}"`);
    case 'schedule':
    case 'workflow_dispatch':
    case 'repository_dispatch':
      return promptTrigger(event.name, config);
    case 'other':
      return skip(`the ${event.eventName} event does not trigger taskpilot`);
  }
}
