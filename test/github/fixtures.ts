import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { readRunContext, type RunContext } from '../../src/github/event.js';
import { evaluateTrigger, type Trigger } from '../../src/github/trigger.js';

const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as WebhookDefinition[];

export type Payload = Record<string, unknown> & {
  comment?: Record<string, unknown>;
  issue?: Record<string, unknown>;
  pull_request?: Record<string, unknown>;
  sender?: Record<string, unknown>;
  label?: Record<string, unknown>;
};

/** A deep copy of the first example payload of `event` (with `action`, when given). */
export function example(event: string, action?: string): Payload {
  const definition = definitions.find((d) => d.name === event);
  const found = (definition?.examples as unknown[] | undefined)?.find(
    (e) => action === undefined || (e as { action?: string }).action === action,
  );
  if (!found) throw new Error(`no ${event}/${action ?? '*'} example`);
  const payload = structuredClone(found) as Payload;
  // The examples' Hello-World has the default branch master; the GitHub emulator's repositories
  // and the git fixtures use main.
  const repository = payload['repository'] as Record<string, unknown> | undefined;
  if (repository) repository['default_branch'] = 'main';
  return payload;
}

export const githubEnv = (eventName: string, extra: Record<string, string> = {}): Record<string, string> => ({
  GITHUB_EVENT_NAME: eventName,
  GITHUB_EVENT_PATH: '/github/workflow/event.json',
  GITHUB_REPOSITORY: 'Codertocat/Hello-World',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_ACTOR: 'Codertocat',
  ...extra,
});

/** A RunContext for a payload, read the way the action reads it. */
export function contextFor(eventName: string, payload: unknown): RunContext {
  return readRunContext(githubEnv(eventName), () => JSON.stringify(payload));
}

/** An issue_comment `created` example with the given body and sender. */
export function commentPayload(
  body: string,
  options: { login?: string; type?: string; onPullRequest?: boolean } = {},
): Payload {
  const payload = example('issue_comment', 'created');
  const user = {
    ...(payload.sender ?? {}),
    login: options.login ?? 'Codertocat',
    type: options.type ?? 'User',
  };
  payload.comment = { ...payload.comment, body, user };
  payload.sender = user;
  if (options.onPullRequest) {
    payload.issue = {
      ...payload.issue,
      pull_request: { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' },
    };
  }
  return payload;
}

/** The trigger of a `/agent fix it` comment with this id, created (and last edited) at `createdAt`. */
export function commentTriggerAt(createdAt: string, commentId = 1): Trigger {
  const payload = commentPayload('/agent fix it');
  payload.comment = { ...payload.comment, id: commentId, created_at: createdAt, updated_at: createdAt };
  const decision = evaluateTrigger(contextFor('issue_comment', payload), {
    triggerPhrase: '/agent',
    triggerLabel: 'agent',
    prompt: undefined,
    progressIssue: undefined,
  });
  if (decision.type !== 'trigger') throw new Error(decision.reason);
  return decision;
}
